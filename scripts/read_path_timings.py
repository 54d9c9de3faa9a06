"""Time the read path on the built store: first query in memory and on disk, the pool hop, first requests.

Run: ``.venv/bin/python scripts/read_path_timings.py [hops]`` after ``tkg build`` (default 2,000 hops).
Prints, in milliseconds:

- the first query (the ``ancestors`` canned query, and ``ASK {}``) on a freshly opened store, on
  RocksDB and on the in-memory copy, each in a fresh process;
- the hop to a query process: a trivial ``ASK {}`` round trip through the pool, median over ``hops``;
- the first request of each canned query's API call and page, the pictures and a resource page
  through Flask's test client, with the store in memory and on disk.

Timings taken while other work runs on the machine are noisy.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import sys
import time


def first_query(in_memory: bool, queue: mp.Queue) -> None:
    """In a fresh process: open the store, then time its first queries."""
    from tkg.canned import load_all
    from tkg.config import Settings
    from tkg.reads import bind
    from tkg.store import EmbeddedStore

    started = time.perf_counter()
    store = EmbeddedStore(Settings().current_store, in_memory=in_memory)
    opened = time.perf_counter() - started
    query = load_all()["ancestors"]
    text = bind(query.text, query.bind({}))
    times = {}
    for name, sparql in (("ASK {}", "ASK {}"), ("ancestors", text), ("ancestors again", text)):
        started = time.perf_counter()
        list(store.query(sparql).solutions()) if "SELECT" in sparql else store.query(sparql).boolean
        times[name] = (time.perf_counter() - started) * 1000
    queue.put((opened * 1000, times))


def hop(count: int) -> list[float]:
    from tkg.config import Settings
    from tkg.executor import Executor, Task

    executor = Executor(Settings().current_store.resolve(), warm=1, most=2)
    task = Task("ASK {}")
    for _ in range(50):
        executor.run(task)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        executor.run(task)
        times.append((time.perf_counter() - started) * 1000)
    executor.close()
    return times


def first_requests(in_memory: bool) -> dict[str, float]:
    os.environ["TKG_STORE_IN_MEMORY"] = "1" if in_memory else "0"
    from server import create_app
    from tkg.canned import load_all
    from tkg.config import Settings

    client = create_app(Settings()).test_client()
    client.get("/")  # templates and first-request set-up
    urls = [f"/api/queries/{name}" for name in load_all()]
    urls += [f"/queries/{name}" for name in load_all()]
    urls += ["/svg/family-tree/org/fourth-international", "/svg/timeline", "/svg/positions"]
    urls += ["/id/org/fourth-international.html", "/id/org/crfi.ttl"]
    times = {}
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times[url] = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
    client.application.extensions["tkg_executor"].close()
    return times


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    context = mp.get_context("spawn")
    for in_memory in (False, True):
        queue = context.Queue()
        process = context.Process(target=first_query, args=(in_memory, queue))
        process.start()
        opened, times = queue.get()
        process.join()
        where = "in memory" if in_memory else "on disk (RocksDB)"
        parts = ", ".join(f"{name} {ms:.2f}" for name, ms in times.items())
        print(f"first queries, store {where}: opened in {opened:.0f} ms; {parts} ms")
    times = hop(count)
    print(
        f"pool hop (ASK {{}} round trip), {count} calls: median {statistics.median(times):.3f} ms, "
        f"p90 {statistics.quantiles(times, n=10)[-1]:.3f} ms"
    )
    for in_memory in (True, False):
        found = first_requests(in_memory)
        ordered = sorted(found.values())
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"first requests ({'in memory' if in_memory else 'on disk'}), {len(found)} URLs: "
            f"p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms ({max(found, key=found.__getitem__)}); "
            f"ancestors API {found['/api/queries/ancestors']:.1f} ms, "
            f"evidence API {found['/api/queries/evidence']:.1f} ms, "
            f"/queries/ancestors {found['/queries/ancestors']:.1f} ms"
        )


if __name__ == "__main__":
    main()
