"""Start the services under comparison on 127.0.0.1, over the same built store."""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Server:
    name: str
    endpoint: str
    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    probe = url + "?query=" + urllib.parse.quote("ASK {}")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(
                urllib.request.Request(probe, headers={"Accept": "application/sparql-results+json"}),
                timeout=2,
            ) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def _run(
    name: str, command: list[str], port: int, env: dict | None = None, cwd: Path | None = None
) -> Iterator[Server]:
    # Its own process group: stopping it stops its workers too, even one still busy with a slow query.
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}/{'query' if name.startswith('oxigraph') else 'sparql'}"
    try:
        _wait(endpoint, process)
        yield Server(name, endpoint, process.pid)
    finally:
        _signal_group(process, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
        _signal_group(process, signal.SIGKILL)  # whatever is left of the group: workers, query processes
        process.wait()


def _signal_group(process: subprocess.Popen, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, number)


def tkg(
    build_dir: Path,
    workers: int,
    cache: bool = True,
    in_memory: bool = True,
    root: Path = ROOT,
    query_timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> AbstractContextManager[Server]:
    """``tkg serve`` (granian) with its executor, access log off; ``cache`` toggles the answer cache,
    ``in_memory`` whether the query processes answer from an in-memory copy or the store on disk;
    ``root`` the source tree it runs (another commit's worktree, for :mod:`bench.ab`);
    ``query_timeout`` overrides ``TKG_QUERY_TIMEOUT`` (a cold first query at 1000x takes ~8-10 s);
    ``env``: more settings (``TKG_QUERY_TURNS``...)."""
    port = free_port()
    env = {
        **(env or {}),
        "TKG_BUILD_DIR": str(build_dir),
        "PYTHONPATH": str(root),
        "TKG_ANSWER_CACHE_MB": "64" if cache else "0",
        "TKG_STORE_IN_MEMORY": "1" if in_memory else "0",
    }
    if query_timeout is not None:
        env["TKG_QUERY_TIMEOUT"] = str(query_timeout)
    command = [sys.executable, "-m", "tkg.cli", "serve", "--port", str(port), "--workers", str(workers)]
    return _run("tkg", [*command, "--no-access-log"], port, env, cwd=root)


def _oxigraph_binary() -> str:
    binary = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    if binary is None:
        raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
    return binary


def oxigraph(store_dir: Path) -> AbstractContextManager[Server]:
    """The Oxigraph server (PyPI ``oxigraph``) read-only over the same on-disk store, union default graph."""
    port = free_port()
    command = [
        _oxigraph_binary(),
        "serve-read-only",
        "--location",
        str(store_dir / "oxigraph"),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    return _run("oxigraph-disk", command, port)


@contextmanager
def oxigraph_memory(store_dir: Path) -> Iterator[Server]:
    """The Oxigraph server holding the same quads in memory (loaded from the build's N-Quads dump)."""
    port = free_port()
    command = [_oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    with _run("oxigraph-memory", command, port) as server:
        quads = gzip.decompress((store_dir / "dumps" / "trotskyism.nq.gz").read_bytes())
        load = urllib.request.Request(
            f"http://127.0.0.1:{port}/store",
            data=quads,
            method="POST",
            headers={"Content-Type": "application/n-quads"},
        )
        with urllib.request.urlopen(load, timeout=120) as response:
            if response.status >= 300:
                raise RuntimeError(f"loading the in-memory Oxigraph server: {response.status}")
        yield server


def rdflib(store_dir: Path, workers: int) -> AbstractContextManager[Server]:
    """A plain Flask + rdflib endpoint (bench.rdflib_endpoint) under granian's WSGI interface."""
    port = free_port()
    command = [
        str(BIN / "granian"),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        "4",
        "--factory",
        "bench.rdflib_endpoint:create_app",
    ]
    return _run("rdflib", command, port, {"BENCH_STORE": str(store_dir), "PYTHONPATH": str(ROOT)})
