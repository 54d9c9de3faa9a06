"""The real triplestores the remote-mode tests run against, started on 127.0.0.1 and stopped after.

- the Oxigraph server (PyPI ``oxigraph``, installed with the dev dependencies),
  with its query timeout ``--timeout-s``;
- Virtuoso (Debian ``virtuoso-opensource``, ``make virtuoso``), from the tests'
  own ``virtuoso.ini`` in a temporary directory, its Graph Store Protocol
  endpoint behind Digest authentication (the database's default ``dba``), with
  the one index a front end's reads need (:data:`VIRTUOSO_INDEX`).
"""

from __future__ import annotations

import fcntl
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

import requests

from tests.conftest import free_port

ENGINES = ("oxigraph", "virtuoso")
HERE = Path(__file__).parent
#: The index ``docs/deploy.md`` asks a Virtuoso operator for: Virtuoso's default indexes make a pattern
#: with only its object bound, in the version's graphs (``GRAPH ?g { ?s ?p <iri> }``, which every
#: resource description asks), a scan of ~230 ms of CPU on the real graph; with it, ~2 ms.
#: The checkpoint makes it part of the database: without one, a restarted Virtuoso replays its log into a
#: schema without the index and answers no query ("table has no index").
VIRTUOSO_INDEX = (
    "CREATE BITMAP INDEX RDF_QUAD_OGPS ON DB.DBA.RDF_QUAD (O, G, P, S) PARTITION (O VARCHAR (-1, 0hexffff));"
    " checkpoint;"
)


@dataclass
class Engine:
    """A running store: where to query it, where to push to it, and how to stop and restart it."""

    name: str
    query_url: str
    gsp_url: str
    command: list[str]
    directory: Path
    user: str | None = None
    password: str | None = None
    process: subprocess.Popen | None = None
    #: Run once, after the first start: the store's own setup (Virtuoso's index).
    prepare: list[str] | None = None

    def env(self) -> dict[str, str]:
        """The settings that point ``tkg`` at this store."""
        env = {"TKG_STORE_URL": self.query_url, "TKG_STORE_GSP_URL": self.gsp_url}
        if self.user:
            env |= {"TKG_STORE_USER": self.user, "TKG_STORE_PASSWORD": self.password or ""}
        return env

    def start(self) -> None:
        log = (self.directory / "engine.log").open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited: {(self.directory / 'engine.log').read_text()[-2000:]}"
                )
            try:
                answer = requests.post(self.query_url, data={"query": "ASK {}"}, timeout=2)
                if answer.status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.2)

    def prepared(self) -> None:
        """Run the engine's setup command once, as its operator would before the first push."""
        if self.prepare:
            done = subprocess.run(self.prepare, capture_output=True, text=True, timeout=60)
            if done.returncode != 0 or "Error" in done.stdout + done.stderr:
                raise RuntimeError(f"{self.name}: {self.prepare[-1]} failed: {done.stdout}{done.stderr}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def oxigraph_binary() -> str:
    found = Path(sys.executable).parent / "oxigraph"
    return str(found) if found.exists() else (shutil.which("oxigraph") or "oxigraph")


def oxigraph(directory: Path, timeout: float) -> Engine:
    port = free_port()
    command = [oxigraph_binary(), "serve", "--location", str(directory / "data")]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout-s", str(int(timeout))]
    base = f"http://127.0.0.1:{port}"
    return Engine("oxigraph", f"{base}/query", f"{base}/store", command, directory)


def virtuoso(directory: Path) -> Engine:
    http_port, sql_port = free_port(), free_port()
    ini = (HERE / "virtuoso.ini").read_text()
    for key, value in {"dir": str(directory), "sql_port": str(sql_port), "http_port": str(http_port)}.items():
        ini = ini.replace("{" + key + "}", value)
    (directory / "virtuoso.ini").write_text(ini)
    command = [shutil.which("virtuoso-t") or "virtuoso-t", "+foreground", "+configfile", "virtuoso.ini"]
    base = f"http://127.0.0.1:{http_port}"
    isql = [shutil.which("isql-vt") or "isql-vt", str(sql_port), "dba", "dba", "exec=" + VIRTUOSO_INDEX]
    return Engine(
        "virtuoso",
        f"{base}/sparql",
        f"{base}/sparql-graph-crud-auth",
        command,
        directory,
        "dba",
        "dba",
        prepare=isql,
    )


@contextmanager
def running(name: str, directory: Path, timeout: float = 5) -> Iterator[Engine]:
    """Engine ``name`` started in ``directory``; stopped when the block ends."""
    directory.mkdir(parents=True, exist_ok=True)
    engine = oxigraph(directory, timeout) if name == "oxigraph" else virtuoso(directory)
    engine.start()
    try:
        engine.prepared()
        yield engine
    finally:
        engine.stop()


def shared(name: str, root: Path, prepare: Callable[[Engine], None], role: str = "") -> Engine:
    """Engine ``name`` for the whole test run, started and prepared (``prepare``) once, in ``root``;
    ``role`` tells apart several stores of one engine that hold different data.

    Every xdist worker of a run draws remote tests, and each used to start its own stores and push
    the real graph into them (up to eight starts and pushes at ``-n 4``). The first worker to need
    the engine starts it under a file lock and leaves a record of where it listens; the others read
    the record. No worker knows it is the last to use it, so the run's end stops it:
    :func:`tests.conftest.stop_recorded`, from ``pytest_sessionfinish`` in the controller.
    A start or a ``prepare`` that failed leaves no record, and the next worker tries again.
    """
    root.mkdir(parents=True, exist_ok=True)
    record = root / f"engine-{name}{role}.json"
    with (root / f"engine-{name}{role}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            started = json.loads(record.read_text())
            del started["pid"]
            return Engine(**{**started, "directory": Path(started["directory"])})
        # a directory of its own for each attempt: one that failed leaves its files behind
        directory = Path(tempfile.mkdtemp(prefix=f"engine-{name}{role}-", dir=root))
        engine = oxigraph(directory, 5) if name == "oxigraph" else virtuoso(directory)
        try:
            engine.start()  # inside: a start that timed out leaves a process to stop
            engine.prepared()
            prepare(engine)
        except BaseException:
            engine.stop()
            raise
        assert engine.process is not None
        started = {f.name: getattr(engine, f.name) for f in fields(engine) if f.name != "process"}
        started |= {"directory": str(engine.directory), "pid": engine.process.pid}
        record.write_text(json.dumps(started))
        return engine
