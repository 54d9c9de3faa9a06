"""Slow clients against the live server: stuck headers and trickled bodies never stop normal requests.

One worker holds 1,000 connections that sent half a request and nothing more,
and 50 requests whose bodies arrive a byte a second (issue 16's figures); a normal ``ASK {}`` is
answered in under a second during and after, the trickled requests are
answered once their bodies are whole, a body that stops is answered 408 at its
deadline, and every connection is closed at the end.
"""

from __future__ import annotations

import resource
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import tkg_serve
from tkg.config import Settings

#: Judged by latency under load: run alone, after the parallel phase (``make test``).
pytestmark = pytest.mark.serial

STUCK = 1000
TRICKLING = 50
BODY = b"ASK {}"  # 6 bytes: 6 s at a byte a second
BODY_TIMEOUT = 2.0
ASK = {"query": "ASK {}", "format": "json"}


@pytest.fixture(scope="module", autouse=True)
def open_files() -> Iterator[None]:
    """Room for this test's 1,050 sockets: the soft limit on open files is often 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = STUCK + TRICKLING + 500
    if soft < wanted and (hard == resource.RLIM_INFINITY or hard >= wanted):
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture(scope="module")
def slow_server(real_build: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    log = tmp_path_factory.mktemp("serve") / "slow-server.log"
    env = {
        "TKG_BODY_TIMEOUT": str(BODY_TIMEOUT + 10),  # the trickled bodies arrive in time
        "TKG_EDGE_CACHE_MB": "0",  # the normal requests need a thread: the response cache would answer them
    }
    with tkg_serve(real_build.build_dir, "--workers", "1", log=log, **env) as server:
        yield server.port
    assert server.returncode == 0  # a graceful stop


def ask(port: int) -> float:
    """Seconds a fresh connection takes to get ``ASK {}`` answered (true)."""
    started = time.perf_counter()
    response = requests.get(f"http://127.0.0.1:{port}/sparql", params=ASK, timeout=10)
    assert response.status_code == 200 and response.json()["boolean"] is True
    return time.perf_counter() - started


def open_connections(port: int) -> int:
    """The server's TCP connections on ``port`` that are still open (established or half-closed)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] in ("01", "08"):  # ESTABLISHED, CLOSE_WAIT
                    count += 1
    return count


def trickle(port: int, answers: list[bytes], stop: threading.Event) -> list[socket.socket]:
    """Start TRICKLING posts whose bodies arrive a byte a second, from one thread."""
    sockets = []
    for _ in range(TRICKLING):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n" % len(BODY)
        )
        sockets.append(sock)

    def drip() -> None:
        for byte in range(len(BODY)):
            if stop.wait(1.0):
                return
            for sock in sockets:
                sock.sendall(BODY[byte : byte + 1])
        for sock in sockets:
            answers.append(read_all(sock))

    threading.Thread(target=drip, daemon=True).start()
    return sockets


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_stuck_headers_and_trickled_bodies_do_not_stop_normal_requests(
    slow_server: int,
) -> None:
    port = slow_server
    ask(port)
    stuck = []
    for _ in range(STUCK):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
        stuck.append(sock)
    answers: list[bytes] = []
    stop = threading.Event()
    trickling = trickle(port, answers, stop)
    try:
        during = []
        deadline = time.monotonic() + len(BODY) + 1
        while time.monotonic() < deadline:
            during.append(ask(port))
            time.sleep(0.2)
        for _ in range(100):  # the last byte went out: the answers follow
            if len(answers) == TRICKLING:
                break
            time.sleep(0.1)
    finally:
        stop.set()
        for sock in stuck + trickling:
            sock.close()
    print(f"\n{len(during)} ASK during: max {max(during) * 1000:.0f} ms")
    assert len(during) >= 3 * len(BODY) and max(during) < 1.0
    assert len(answers) == TRICKLING
    assert all(a.startswith(b"HTTP/1.1 200") and a.endswith(b'"boolean":true}') for a in answers)
    after = [ask(port) for _ in range(10)]
    assert max(after) < 1.0
    for _ in range(50):
        if open_connections(port) == 0:
            break
        time.sleep(0.1)
    assert open_connections(port) == 0


def test_a_body_that_stops_gets_408_at_its_deadline_and_a_large_one_413(
    real_build: Settings, tmp_path: Path
) -> None:
    options = ("--workers", "1", "--no-access-log")
    log = tmp_path / "serve.log"
    with tkg_serve(real_build.build_dir, *options, log=log, TKG_BODY_TIMEOUT=str(BODY_TIMEOUT)) as server:
        port = server.port
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 100\r\n\r\nASK"
            )
            started = time.monotonic()
            answer = read_all(sock)
            waited = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert BODY_TIMEOUT - 0.5 < waited < BODY_TIMEOUT + 5
        assert ask(port) < 1.0
        large = b"ASK {} #" + b"x" * 200_000  # over TKG_MAX_BODY_BYTES, with a length or chunked
        headers = {"Content-Type": "application/sparql-query"}
        url = f"http://127.0.0.1:{port}/sparql"
        assert requests.post(url, data=large, headers=headers, timeout=10).status_code == 413
        assert requests.post(url, data=iter([large]), headers=headers, timeout=10).status_code == 413
    assert server.returncode == 0
