"""tkg serve from two (or more) source trees over one build, alternated, under wrk.

A figure of the report compares commits only across runs, minutes or days
apart, on a shared machine; this runs each tree in turn over the same build,
several rounds, so that a difference shows through the noise or does not.
Each round starts each tree's server afresh (access log off), warms it for
2 s, then runs wrk on issue 11's first workload (organisations by label, every
request a new text) at each number of clients. A tree may carry settings after
commas: ``workers=N`` (granian's workers, else ``--workers``) and any
``TKG_NAME=value``, so that one tree can be run two ways. The end prints each
variant's spread: the least, median and most req/s and p99 over the rounds::

    git worktree add --detach /tmp/old 1707d26
    PYTHONPATH=. .venv/bin/python -m bench.ab --build-dir build /tmp/old . --rounds 3 --clients 8,32
    PYTHONPATH=. .venv/bin/python -m bench.ab . .,workers=1,TKG_QUERY_TURNS=3 --clients 32
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import run, servers, workload


@dataclass(frozen=True)
class Variant:
    """A source tree and how it is served.

    >>> Variant.parse(".,workers=1,TKG_QUERY_TURNS=3", 2).env
    {'TKG_QUERY_TURNS': '3'}
    """

    spec: str
    root: Path
    workers: int
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, spec: str, workers: int) -> Variant:
        root, *settings = spec.split(",")
        env = {}
        for setting in settings:
            name, _, value = setting.partition("=")
            if name == "workers":
                workers = int(value)
            elif name.startswith("TKG_") and value:
                env[name] = value
            else:
                raise SystemExit(f"not a setting: {setting!r} (workers=N or TKG_NAME=value)")
        return cls(spec, Path(root).resolve(), workers, env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "trees", nargs="+", help="source trees (worktrees), run in this order: PATH[,workers=N][,TKG_X=v]"
    )
    parser.add_argument("--build-dir", type=Path, default=servers.ROOT / "build")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", default="8,32", help="comma-separated")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    variants = [Variant.parse(spec, args.workers) for spec in args.trees]
    queries = workload.throughput_queries()[:1]
    seen: dict[tuple[str, int], list[tuple[float, float]]] = {}
    print("round tree clients req/s p50 p90 p99 (ms) errors non-2xx load")
    for number in range(args.rounds):
        for variant in variants:
            with servers.tkg(
                args.build_dir.resolve(), variant.workers, root=variant.root, env=variant.env
            ) as server:
                run.measure(server.endpoint, queries, 8, 2, True)  # warm: processes, memos
                for clients in (int(c) for c in args.clients.split(",")):
                    m = run.measure(server.endpoint, queries, clients, args.seconds, True)
                    print(
                        f"{number} {variant.spec} {clients} {m['throughput']:.0f}",
                        *(m.get(f"p{p}_ms") for p in (50, 90, 99)),
                        f"{m['errors']} {m['non_2xx_3xx']} {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
                    seen.setdefault((variant.spec, clients), []).append(
                        (m["throughput"], m.get("p99_ms") or float("nan"))
                    )
    print("\ntree clients req/s least/median/most, p99 ms least/median/most")
    for (spec, clients), rounds in seen.items():
        rates, tails = sorted(r for r, _ in rounds), sorted(t for _, t in rounds)
        print(
            f"{spec} {clients} {rates[0]:.0f} / {statistics.median(rates):.0f} / {rates[-1]:.0f}, "
            f"{tails[0]:.2f} / {statistics.median(tails):.2f} / {tails[-1]:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
