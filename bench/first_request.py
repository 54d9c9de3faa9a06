"""What a reader waits for the first time a page is asked: every page and picture, once, on a fresh server.

The URLs are every canned query's API call and page with its default
parameters, the family tree of every organisation that has lineage (or an even
sample of them), the timeline, the positions chart and an even sample of
resource pages; each is fetched once, in turn, so no answer cache has seen it.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from tkg.canned import load_all

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/trotskyism"
_LINEAGE = """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
SELECT DISTINCT ?o WHERE { { ?o tkg:derivedFrom ?x } UNION { ?x tkg:derivedFrom ?o } } ORDER BY ?o"""
_RESOURCES = f"""SELECT DISTINCT ?s WHERE {{ ?s a ?type FILTER (STRSTARTS(STR(?s), "{BASE}/id/")) }}
ORDER BY ?s"""


def _even_sample(items: list[str], most: int) -> list[str]:
    """At most ``most`` items spread evenly over ``items`` (all of them if there are fewer).

    >>> _even_sample([str(i) for i in range(10)], 3)
    ['0', '3', '6']
    """
    if len(items) <= most:
        return items
    step = -(-len(items) // most)
    return items[::step][:most]


def urls(store_dir: Path, trees: int = 200, resources: int = 50) -> list[tuple[str, str]]:
    """``(kind, path)`` of every URL to time, read from the built store (not from the server)."""
    store = ox.Store.read_only(str(store_dir / "oxigraph"))

    def column(query: str) -> list[str]:
        solutions = store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        return [row[0].value for row in solutions]

    found = []
    for name in sorted(load_all(ROOT / "queries")):
        found += [("canned API", f"/api/queries/{name}"), ("canned page", f"/queries/{name}")]
    for iri in _even_sample(column(_LINEAGE), trees):
        if iri.startswith(f"{BASE}/id/org/"):
            found.append(("family tree", "/svg/family-tree/org/" + iri.rsplit("/", 1)[1]))
    found += [("timeline", "/svg/timeline"), ("positions", "/svg/positions")]
    for iri in _even_sample(column(_RESOURCES), resources):
        found.append(("resource page", iri.removeprefix(BASE) + ".html"))
    return found


def measure(base: str, targets: list[tuple[str, str]]) -> dict:
    """Each URL once, in turn: milliseconds and status; p95, max and the slowest five."""
    rows = []
    for kind, path in targets:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(base + path, timeout=60) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        ms = round((time.perf_counter() - started) * 1000, 2)
        rows.append({"kind": kind, "path": path, "status": status, "ms": ms})
    times = sorted(r["ms"] for r in rows)
    kinds = dict.fromkeys(kind for kind, _ in targets)
    return {
        "count": len(rows),
        "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))] if times else None,
        "max_ms": times[-1] if times else None,
        "not_ok": [r for r in rows if r["status"] != 200],
        "slowest": sorted(rows, key=lambda r: -r["ms"])[:5],
        "max_by_kind": {kind: max(r["ms"] for r in rows if r["kind"] == kind) for kind in kinds},
        "rows": rows,
    }
