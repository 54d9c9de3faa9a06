"""Run the app under granian, a Rust HTTP server, from ``tkg serve``.

Why granian: on this machine a trivial Flask view answered about twice as many
requests per second under granian as under gunicorn's gthread workers, and
``/sparql`` with ``ASK {}`` two to three times as many (``bench/README.md``,
"Choosing the server"). Connections live in Rust, and the app is reached
through :class:`server.rsgi.Bridge`, which runs it in a thread only once the
request's body has arrived: a client that sends half a header, or a body a byte
a second, holds a tokio task or a coroutine, never a thread that runs Flask.

Each worker process calls the app factory itself, after the fork (granian's
``factory=True`` over the import path ``server.wsgi:application``); the
settings reach it through the environment, where :class:`tkg.config.Settings`
reads them.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import os
import resource
import shutil
import tempfile
from contextlib import ExitStack, suppress
from pathlib import Path

from tkg.budget import SharedLevels
from tkg.config import Settings
from tkg.executor import SharedTurns, running
from tkg.storage import open_store_dir

from .fast_sparql import FastSparql
from .rsgi import Bridge

#: Milliseconds a client may take to send a request's headers before its connection is closed.
HEADER_READ_TIMEOUT_MS = 10_000
#: Bytes of a connection's read buffer: a request line and headers larger than this get 431.
READ_BUFFER_BYTES = 128 * 1024
#: Seconds a client may take to send a request's body (at most ``TKG_MAX_BODY_BYTES``): then 408.
BODY_TIMEOUT_VARIABLE, BODY_TIMEOUT = "TKG_BODY_TIMEOUT", 20.0
#: The environment variable that tells each worker how many threads run the app.
THREADS_VARIABLE = "TKG_SERVE_THREADS"
#: Connections each worker holds at once (granian's backpressure; its default, backlog / workers = 512,
#: let 512 connections stuck in their headers keep every other client out for the header timeout).
#: A connection waiting for its headers or body is a tokio task or a coroutine: a few kilobytes.
CONNECTIONS_PER_WORKER = 10_000
#: Connections the kernel queues before the workers accept them.
BACKLOG = 4096
#: Seconds a stopping worker may take to finish its requests before it is killed.
STOP_TIMEOUT = 10


def to_environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``TKG_*`` variables that make ``Settings()`` equal to it in a worker.

    Every field ``name`` is read from ``TKG_<NAME>`` (see :mod:`tkg.config`); tuples are
    comma-separated; an unset optional setting (``None``) is an empty variable.

    >>> to_environment(Settings(max_rows=7, service_hosts=("a", "b")))["TKG_MAX_ROWS"]
    '7'
    >>> to_environment(Settings(public_url=None))["TKG_PUBLIC_URL"]
    ''
    """
    env = {}
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if value is None:
            value = ""
        elif isinstance(value, tuple):
            value = ",".join(value)
        elif isinstance(value, Path):
            value = value.resolve()  # as tkg.config reads it
        env[f"TKG_{field.name.upper()}"] = str(value)
    return env


def raise_open_files() -> int:
    """Raise the soft limit on open files to the hard one (inherited by the workers); the new limit.

    Each connection is a file: a soft limit of 1,024 (a common default) would let
    a thousand stuck connections keep new ones out.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass  # keep the soft limit: the server still runs
    return soft


def settle_heap() -> None:
    """Collect once, then move every object left (the app, its templates, search index, lineage) out
    of the cyclic collector's reach (``gc.freeze``).

    A full collection walks every tracked object: over a warm worker's heap that took 15-100 ms
    (in one process, on this machine), and one came about every 10,000 requests, stopping the event
    loop and every request in flight. Frozen, the start-up heap is never walked again; only objects
    made while serving are.
    """
    gc.collect()
    gc.freeze()


def application() -> Bridge:
    """Granian's factory, called in each worker after the fork: the app over the current store."""
    from . import create_app
    from .warmup import warm

    settings = Settings()
    app = create_app(settings)
    warm(app)
    settle_heap()
    script_name = os.environ.get("SCRIPT_NAME", "")  # as gunicorn read it
    return Bridge(
        app,
        threads=int(os.environ.get(THREADS_VARIABLE, "32")),
        max_body=settings.max_body_bytes,
        body_timeout=float(os.environ.get(BODY_TIMEOUT_VARIABLE, BODY_TIMEOUT)),
        script_name=script_name,
        cache_bytes=settings.edge_cache_mb * 1_000_000,
        # over a remote store, a push must reach the cached answers too
        cache_lifetime=settings.store_version_ttl if settings.store_url else math.inf,
        fast=FastSparql.of(app, script_name),
    )


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    threads: int = 32,
    access_log: bool = True,
) -> None:
    """Serve the current store until SIGINT or SIGTERM; each worker opens it after the fork.

    ``threads`` is the most Python threads each worker runs the app in (started as
    needed); requests beyond them wait on the worker's event loop. A request waiting
    for its query process holds a thread, so there are more threads than query
    processes: a burst of slow queries must not leave a light query without one.
    """
    if settings.store_url:
        where = f"the store at {settings.store_url}"
    else:
        _store, manifest, directory = open_store_dir(settings.current_store)  # fail fast, clearly
        del _store
        where = f"dataset {manifest.version} from {directory}"
    raise_open_files()
    with ExitStack() as cleanup:
        run = run_directory(cleanup)
        # the workers share one file of budgets: a client has one share however many workers it reaches
        budget_file = settings.budget_file or run / "budgets"
        SharedLevels.create(budget_file)
        settings = dataclasses.replace(settings, budget_file=budget_file)
        # and, if asked (TKG_QUERY_TURNS >= 0), one FIFO of turns: that many queries in flight over all
        # workers, the rest queued on their loops (by default each worker has its own turns)
        if settings.query_turns >= 0:
            turns_file = settings.turns_file or run / "turns"
            held = SharedTurns.create(turns_file, settings.query_turns or len(os.sched_getaffinity(0)) + 1)
            cleanup.callback(_remove, turns_file)
            cleanup.callback(os.close, held)
            settings = dataclasses.replace(settings, turns_file=turns_file)
        _granian(settings, where, host, port, workers, threads, access_log)


#: The name of a server's run directory (:func:`run_directory`) before its process id.
RUN_PREFIX = "tkg-serve-"


def run_directory(cleanup: ExitStack, base: Path | None = None) -> Path:
    """A new directory for the files this server's workers share, removed when ``cleanup`` closes.

    A server killed by SIGKILL (or the system's out-of-memory killer) removes nothing: so the
    directory is named after the server's process, and those of this user's servers whose
    process is gone are removed first (a pid reused since keeps a dead server's directory:
    harmless). ``base``: the system's temporary directory by default.
    """
    base = Path(tempfile.gettempdir()) if base is None else base
    for old in base.glob(f"{RUN_PREFIX}*"):
        pid = old.name[len(RUN_PREFIX) :].split("-", 1)[0]
        with suppress(OSError):
            if pid.isdigit() and old.lstat().st_uid == os.getuid() and not running(int(pid)):
                shutil.rmtree(old)
    # mkdtemp: a name nobody else can have made first (0700, a random suffix), the pid before it
    path = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-", dir=base))
    cleanup.callback(shutil.rmtree, path, True)
    return path


def _remove(turns_file: Path) -> None:
    """Remove the files of the shared turns (where ``TKG_TURNS_FILE`` put them outside a temporary one)."""
    for path in SharedTurns.files(turns_file):
        path.unlink(missing_ok=True)


def _granian(
    settings: Settings,
    where: str,
    host: str,
    port: int,
    workers: int,
    threads: int,
    access_log: bool,
) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings

    env = to_environment(settings)
    os.environ.update(env)  # inherited by the workers
    os.environ[THREADS_VARIABLE] = str(threads)
    if to_environment(Settings()) != env:
        raise RuntimeError("a setting does not follow the TKG_<NAME> convention of tkg.config")
    print(f"serving {where} on http://{host}:{port}/", flush=True)
    Granian(
        "server.wsgi:application",
        factory=True,
        interface=Interfaces.RSGI,
        loop=Loops.uvloop,  # the event loop answers cached responses and reads bodies: uvloop is ~25 % faster
        address=host,
        port=port,
        workers=workers,
        backlog=BACKLOG,
        backpressure=CONNECTIONS_PER_WORKER,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=HEADER_READ_TIMEOUT_MS, max_buffer_size=READ_BUFFER_BYTES
        ),
        websockets=False,
        log_access=access_log,
        workers_kill_timeout=STOP_TIMEOUT,
    ).serve()
