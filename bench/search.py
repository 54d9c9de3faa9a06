"""What typo tolerance costs the name search, against the same index without it, in the same run.

Run after ``tkg build``: ``PYTHONPATH=. .venv/bin/python -m bench.search [rounds]``. Times
:meth:`tkg.search.SearchIndex.search` over the 30 names of ``scripts/reconciliation_run.py`` (a third
misspelt or in another language) with the typo tier, and with it turned off (the peer: the exact
tiers alone, on the same index and the same names), then a batch of ten ``/reconcile`` queries through
Flask's test client. Prints medians in milliseconds and the ratio. Timings taken while other work
runs on the machine are noisy: compare the ratio, not the figures.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any


def _median_ms(work: Any, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    from scripts.reconciliation_run import NAMES
    from server import create_app
    from server.search import index

    rounds = int(argv[0]) if argv else 20
    app = create_app()
    names = [name for name, *_ in NAMES]
    with app.app_context():
        idx = index()

        def every_name() -> None:
            for name in names:
                idx.search(name, 50)

        with_typos = _median_ms(every_name, rounds)
        typos = idx._typos
        idx._typos = lambda q, words: {}  # type: ignore[method-assign]
        try:
            exact_only = _median_ms(every_name, rounds)
        finally:
            idx._typos = typos  # type: ignore[method-assign]
    client = app.test_client()
    batch = json.dumps({f"q{n}": {"query": name, "limit": 3} for n, name in enumerate(names[:10])})
    client.post("/reconcile", data={"queries": batch})  # the reconciler is built on first use
    reconcile = _median_ms(lambda: client.post("/reconcile", data={"queries": batch}), rounds)
    print(f"index: {len(idx.names)} names, {len(idx.vocabulary)} distinct words; {rounds} rounds")
    print(f"search, 30 names, with typo tolerance:  {with_typos:8.2f} ms ({with_typos / 30:.2f} ms a name)")
    print(f"search, 30 names, exact tiers only:     {exact_only:8.2f} ms ({exact_only / 30:.2f} ms a name)")
    print(f"ratio (with / without):                 {with_typos / exact_only:8.2f}")
    print(f"/reconcile, a batch of 10 (test client): {reconcile:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
