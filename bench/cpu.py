"""CPU per request of a web worker's event loop on the ``/sparql`` fast path, and where it goes.

wrk's req/s mixes the worker's Python, granian, the query processes and the
kernel, on two shared cores. This drives one worker's RSGI application (the
same factory granian calls, :func:`server.wsgi.application`, on uvloop) in this
process with issue 11's three workloads, every request a new text, ``clients``
at a time, and reads this process's CPU clock: the Python a request costs the
worker, without granian's HTTP (~30 µs) and without the query processes (other
processes, not counted). With ``--profile``, cProfile's functions by their own
CPU time on the event loop's thread, in µs per request (cProfile roughly
doubles the total: read the shares).

    PYTHONPATH=. .venv/bin/python -m bench.cpu --build-dir build [--requests 3000] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import uvloop

from .inprocess import Proto, Scope
from .workload import JSON, throughput_queries

ROOT = Path(__file__).resolve().parent.parent


def _scopes(text: str, first: int, count: int) -> list[Scope]:
    """``count`` requests for ``text``, each with its own comment (``# first`` on), as wrk's new texts."""
    encoded = urlencode({"query": text})
    return [
        Scope([("accept", JSON)], query_string=f"{encoded}%0A%23+{n}", host="127.0.0.1")
        for n in range(first, first + count)
    ]


async def _drive(bridge: object, scopes: list[Scope], clients: int) -> list[float]:
    """Every request of ``scopes``, ``clients`` at a time; each one's seconds from call to answer."""
    handler = bridge.__rsgi__  # type: ignore[attr-defined]
    pending = iter(scopes)
    latencies: list[float] = []
    clock = time.perf_counter

    async def client() -> None:
        for scope in pending:
            proto = Proto()
            started = clock()
            await handler(scope, proto)
            latencies.append(clock() - started)
            if proto.sent[0][0] != 200:
                raise RuntimeError(f"answered {proto.sent[0][0]}: {proto.sent[0][2]!r}")

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies


def measure(
    build_dir: Path, requests: int, clients: int, profile: bool, top: int, only: str | None = None
) -> dict[str, float]:
    """µs per request, per workload and over all three: this process's CPU (``cpu``), the event loop
    thread's alone (``loop``: the rest is the thread pool's), the query processes' (``/proc``, coarse),
    the wall clock, and the 50th and 99th percentiles of a request's latency (its wait for a turn included;
    granian's own queue not)."""
    os.environ["TKG_BUILD_DIR"] = str(build_dir.resolve())
    from server.wsgi import application

    bridge = application()
    executor = bridge.fast.reader.runner if bridge.fast is not None else None
    results: dict[str, float] = {}
    workloads = [q for q in throughput_queries() if only in (None, q.name)]
    # the loop thread's CPU clock: a function's time without the time others ran while it waited
    profiler = cProfile.Profile(time.thread_time) if profile else None

    async def main() -> None:
        number = 0
        for query in workloads:
            await _drive(bridge, _scopes(query.text, number, 200), clients)  # warm: processes, memos
            number += 200
            scopes = _scopes(query.text, number, requests)  # made before the clocks start
            children = _children_cpu(executor)
            cpu, loop, wall = time.process_time(), time.thread_time(), time.perf_counter()
            if profiler is not None:
                profiler.enable()
            latencies = sorted(await _drive(bridge, scopes, clients))
            if profiler is not None:
                profiler.disable()
            number += requests
            results[f"{query.name} cpu"] = (time.process_time() - cpu) / requests * 1e6
            results[f"{query.name} loop"] = (time.thread_time() - loop) / requests * 1e6
            results[f"{query.name} query processes"] = (_children_cpu(executor) - children) / requests * 1e6
            results[f"{query.name} wall"] = (time.perf_counter() - wall) / requests * 1e6
            for percent in (50, 99):  # in µs too: from a request's call to its answer, queue included
                results[f"{query.name} p{percent}"] = latencies[len(latencies) * percent // 100] * 1e6

    try:
        uvloop.run(main())
    finally:
        bridge.__rsgi_del__(None)
    names = [q.name for q in workloads]
    results["mean cpu"] = sum(results[f"{n} cpu"] for n in names) / len(names)
    if profiler is not None:
        _print_profile(profiler, requests * len(names), top)
    return results


def _children_cpu(executor: object) -> float:
    """Seconds of CPU the pool's query processes have used (``/proc``, in clock ticks: 10 ms)."""
    total = 0
    for pid in executor.pids() if executor is not None else []:  # type: ignore[attr-defined]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:  # replaced meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _print_profile(profiler: cProfile.Profile, requests: int, top: int) -> None:
    stats = pstats.Stats(profiler)
    rows = []
    for (path, line, name), (_cc, calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{Path(path).name}:{line}({name})" if line else name
        rows.append((own, cumulative, calls, where))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    print(f"\ncProfile: {total / requests * 1e6:.1f} µs per request (with the profiler's own cost)")
    print(f"{'own µs':>8} {'cum µs':>8} {'calls':>6}  function")
    for own, cumulative, calls, where in rows[:top]:
        per = requests
        print(f"{own / per * 1e6:8.2f} {cumulative / per * 1e6:8.2f} {calls / per:6.2f}  {where}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build")
    parser.add_argument("--requests", type=int, default=3000, help="per workload, after 200 to warm up")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--profile", action="store_true", help="and where the time goes, by function")
    parser.add_argument("--top", type=int, default=30, help="functions shown with --profile")
    parser.add_argument("--workload", choices=[q.name for q in throughput_queries()], help="this one alone")
    args = parser.parse_args(argv)
    results = measure(args.build_dir, args.requests, args.clients, args.profile, args.top, args.workload)
    print()
    for name, value in results.items():
        print(f"{name:>32}: {value:7.1f} µs/request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
