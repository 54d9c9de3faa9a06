"""A bounded closed-loop load generator for 127.0.0.1: N clients, a time limit, a request cap."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else 0.0

    def summary(self) -> str:
        return (
            f"{self.requests} requests in {self.seconds:.1f} s ({self.requests / self.seconds:.0f}/s), "
            f"errors {len(self.errors)}, p50 {self.percentile(50):.1f} ms, p99 {self.percentile(99):.1f} ms, "
            f"mean {statistics.fmean(self.latencies) * 1000 if self.latencies else 0:.1f} ms"
        )


def run(base: str, paths: list[str], clients: int, seconds: float, max_requests: int) -> LoadResult:
    """Each client requests the next path in turn until the time or request budget is spent."""
    if not base.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("load is only ever sent to 127.0.0.1")
    result = LoadResult()
    lock = threading.Lock()
    counter = itertools.count()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        session = requests.Session()
        for i in itertools.count(offset):
            if time.monotonic() > deadline or next(counter) >= max_requests:
                return
            path = paths[i % len(paths)]
            started = time.perf_counter()
            try:
                response = session.get(base + path, timeout=30)
                ok = response.status_code == 200
                outcome = None if ok else f"{response.status_code} {path}"
            except requests.RequestException as error:
                outcome = f"{type(error).__name__} {path}"
            elapsed = time.perf_counter() - started
            with lock:
                if outcome:
                    result.errors.append(outcome)
                else:
                    result.latencies.append(elapsed)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def process_tree(root: int) -> list[int]:
    """``root`` and every process under it, from each process's parent in /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree: list[int] = []
    todo = [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def tree_rss_kib(root: int) -> int:
    """Resident memory (KiB) of a process and all its descendants, read from /proc."""
    total = 0
    for pid in process_tree(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


#: The queries of the mixed load (:func:`mix`): light, a lineage lookup, a sort, a group over the graphs.
QUERIES = [
    "ASK { ?s ?p ?o }",
    "PREFIX tkg: <https://w3id.org/trotskyism/ontology#> SELECT ?a WHERE "
    "{ <https://w3id.org/trotskyism/id/org/crfi> tkg:descendsFrom ?a }",
    "PREFIX tkg: <https://w3id.org/trotskyism/ontology#> SELECT ?e ?d WHERE { ?e a tkg:Split ; tkg:date ?d } "
    "ORDER BY ?d",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
]


def mix() -> list[str]:
    """The load test's and the soak's routes: ``/``, ``/sparql``, each of :data:`QUERIES` in JSON and CSV."""
    paths = ["/", "/sparql"]
    for query in QUERIES:
        paths.append(f"/sparql?format=json&query={quote(query)}")
        paths.append(f"/sparql?format=csv&query={quote(query)}")
    return paths
