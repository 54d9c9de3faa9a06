"""tkg serve from two (or more) source trees over one build, alternated, under wrk.

A figure of the report compares commits only across runs, minutes or days
apart, on a shared machine; this runs each tree in turn over the same build,
several rounds, so that a difference shows through the noise or does not.
Each round starts each tree's server afresh (2 workers, access log off), warms
it for 2 s, then runs wrk on issue 11's first workload (organisations by
label, every request a new text) at each number of clients::

    git worktree add --detach /tmp/old 1707d26
    PYTHONPATH=. .venv/bin/python -m bench.ab --build-dir build /tmp/old . --rounds 3 --clients 8,32
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import run, servers, workload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", type=Path, nargs="+", help="source trees (worktrees), run in this order")
    parser.add_argument("--build-dir", type=Path, default=servers.ROOT / "build")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", default="8,32", help="comma-separated")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    queries = workload.throughput_queries()[:1]
    print("round tree clients req/s p50 p90 p99 (ms) errors non-2xx load")
    for number in range(args.rounds):
        for root in args.roots:
            with servers.tkg(args.build_dir.resolve(), args.workers, root=root.resolve()) as server:
                run.measure(server.endpoint, queries, 8, 2, True)  # warm: processes, memos
                for clients in (int(c) for c in args.clients.split(",")):
                    m = run.measure(server.endpoint, queries, clients, args.seconds, True)
                    print(
                        f"{number} {root} {clients} {m['throughput']:.0f}",
                        *(m.get(f"p{p}_ms") for p in (50, 90, 99)),
                        f"{m['errors']} {m['non_2xx_3xx']} {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
