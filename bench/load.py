"""A bounded HTTP/1.1 load generator: keep-alive connections, latencies, throughput.

No wrk on the machine and nothing but PyPI/apt allowed, so this is asyncio over
raw sockets (no HTTP library in the hot path), spread over one process per
core so the client is not the bottleneck of a Python GIL. Every run is bounded
by a request count and a time limit and only talks to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    path: str  # path and query string
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Outcome:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]  # seconds, successful requests only
    statuses: dict[int, int]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _raw(host: str, port: int, request: Request) -> bytes:
    lines = [f"GET {request.path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in request.headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    elif status not in (204, 304) and length is None:
        raise ConnectionError("response without length")
    return status


async def _client(host, port, raws, start, stop_at, budget, latencies, statuses, errors) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = start
    try:
        while time.perf_counter() < stop_at and budget[0] > 0:
            budget[0] -= 1
            raw = raws[i % len(raws)]
            i += 1
            t0 = time.perf_counter()
            try:
                writer.write(raw)
                status = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ConnectionError, ValueError):
                errors[0] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            statuses[status] = statuses.get(status, 0) + 1
            if status < 400:
                latencies.append(time.perf_counter() - t0)
            else:
                errors[0] += 1
    finally:
        writer.close()


def _worker(base: str, requests: list[Request], clients: int, offset: int, limit: int, seconds: float, out):
    parts = urlsplit(base)
    host, port = parts.hostname, parts.port
    if host != "127.0.0.1":
        raise ValueError("the load generator only talks to 127.0.0.1")
    raws = [_raw(host, port, r) for r in requests]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    budget = [limit]

    async def main() -> float:
        t0 = time.perf_counter()
        stop_at = t0 + seconds
        await asyncio.gather(
            *(
                _client(host, port, raws, offset + k * 7, stop_at, budget, latencies, statuses, errors)
                for k in range(clients)
            )
        )
        return time.perf_counter() - t0

    elapsed = asyncio.run(main())
    out.put((len(latencies) + errors[0], errors[0], elapsed, latencies, statuses))


def run(base: str, requests: list[Request], clients: int, seconds: float, max_requests: int) -> Outcome:
    """``clients`` concurrent keep-alive connections cycling through ``requests``, bounded twice."""
    processes = min(clients, 2)
    context = mp.get_context("fork")
    out = context.Queue()
    share = [clients // processes + (1 if k < clients % processes else 0) for k in range(processes)]
    workers = [
        context.Process(
            target=_worker,
            args=(base, requests, share[k], k * 3, max_requests // processes, seconds, out),
        )
        for k in range(processes)
    ]
    for w in workers:
        w.start()
    results = [out.get(timeout=seconds + 120) for _ in workers]
    for w in workers:
        w.join(10)
    total = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    elapsed = max(r[2] for r in results)
    latencies = [x for r in results for x in r[3]]
    statuses: dict[int, int] = {}
    for r in results:
        for k, v in r[4].items():
            statuses[k] = statuses.get(k, 0) + v
    return Outcome(total, errors, elapsed, latencies, statuses)
