"""Time every canned query through the API, each page, and the pictures, over the built store.

Run: ``PYTHONPATH=. .venv/bin/python bench/canned_queries.py [repeats]`` (default 5). Uses
Flask's test client in-process (no network), so the figures are the app's own cost:
executor round trip, query, serialisation, templates and SVG drawing.
"""

from __future__ import annotations

import statistics
import sys
import time


def main() -> None:
    from server import create_app
    from tkg.canned import load_all

    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    client = create_app().test_client()
    urls = [f"/api/queries/{name}" for name in load_all()]
    urls += [f"/queries/{name}" for name in load_all()]
    urls += ["/svg/family-tree/org/fourth-international", "/svg/timeline", "/svg/positions"]
    urls += ["/api/suggest?q=fou"]
    print(f"{'url':<55} {'median ms':>10} {'max ms':>8}")
    for url in urls:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{url:<55} {statistics.median(times):>10.1f} {max(times):>8.1f}")


if __name__ == "__main__":
    main()
