"""The benchmark's harness stays tested by a smoke run: wrk against the Oxigraph server alone, seconds.

The full benchmark (``make bench``) is not part of the test suite; its figures are
judged by its report, never by timed assertions here. The smoke run and the soak are judged by
correctness alone (every request answered, 30 s timeouts), so they run in ``make test``'s parallel
phase, beside other tests, not in the serial one. The answer cache tests
below are the cache's own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bench import servers, wrk
from bench.run import build_stats, fetch, measure, size_of
from bench.run import main as run_main
from bench.workload import throughput_queries
from server import create_app
from tkg.config import Settings


def test_wrk_loads_the_oxigraph_server_with_new_and_repeated_texts(real_build: Settings) -> None:
    query = throughput_queries()[1]  # descendants of the Fourth International
    with servers.oxigraph(real_build.current_store.resolve()) as ox:
        assert size_of(query, fetch(ox.endpoint, query)[1]) > 0
        runs = [measure(ox.endpoint, [query], clients=2, seconds=1, new_text=new) for new in (True, False)]
    for run in runs:
        assert run["requests"] > 0 and run["throughput"] > 0
        assert run["errors"] == 0 and run["non_2xx_3xx"] == 0, run
        assert 0 < run["p50_ms"] <= run["p99_ms"]
    assert [r["new_text"] for r in runs] == [True, False]


@contextmanager
def recorder() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that answers every GET with an empty 200 and keeps its ``query``."""
    seen: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.append(parse_qs(urlsplit(self.path).query)["query"][0])
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_new_text_runs_send_every_text_once_and_repeated_runs_one_text() -> None:
    """One recorder per run: a request of the first run still in flight when wrk stops (it resets its
    connections) must not be counted in the second's."""
    request = wrk.Request.sparql("/sparql", "ASK {}", "application/sparql-results+json")
    with recorder() as (base, texts):
        new = wrk.run(base, [request], clients=2, seconds=1, new_text=True)
    with recorder() as (base, seen):
        repeated = wrk.run(base, [request], clients=2, seconds=1, new_text=False)
    assert new["requests"] > 10 and repeated["requests"] > 10
    assert len(set(texts)) == len(texts) and all(t.startswith("ASK {}\n# ") for t in texts)
    assert set(seen) == {"ASK {}"}


def test_answer_cache_serves_repeats_without_changing_answers(real_build: Settings) -> None:
    app = create_app(real_build)
    client = app.test_client()
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    headers = {"Accept": "application/sparql-results+json"}
    first, second, third = (
        client.get("/sparql", query_string={"query": query}, headers=headers) for _ in range(3)
    )
    cache = app.extensions["tkg_answer_cache"]
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.data == third.data and first.headers["ETag"] == third.headers["ETag"]
    assert cache.hits == 1  # kept from the second request on
    as_csv = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert as_csv.mimetype == "text/csv" and as_csv.data.startswith(b"n")
    # an error is never cached
    bad = client.get("/sparql", query_string={"query": "SELECT WHERE"}, headers=headers)
    assert bad.status_code == 400
    assert client.get("/sparql", query_string={"query": "SELECT WHERE"}, headers=headers).status_code == 400


def test_answer_cache_is_bounded_by_bytes() -> None:
    from server.answer_cache import AnswerCache

    cache = AnswerCache(max_bytes=1000)
    for i in range(10):
        cache.put(f"e{i}", "text/csv", b"x" * 200)
    kept = cache.get("e9")
    assert (
        cache.get("e0") is None
        and kept is not None
        and (kept.media_type, kept.body) == ("text/csv", b"x" * 200)
    )
    cache.put("huge", "text/csv", b"x" * 600)  # over a quarter of the cache: not kept
    assert cache.get("huge") is None


def test_the_soak_runs_and_reports_memory_and_errors(real_build: Settings) -> None:
    """The benchmark's soak, for seconds instead of 30 minutes: every request answered, memory read."""
    from bench import soak

    data = soak.soak(real_build.build_dir, minutes=0.1, clients=2, round_seconds=3, workers=1)
    assert len(data["rounds"]) == 2 and data["requests"] > 20
    assert data["errors"] == 0, data["error_samples"]
    assert data["rss_start_mib"] > 0 and data["rss_end_mib"] > 0
    assert "## Soak" in "\n".join(soak.markdown(data))


def test_the_scale_section_alone_builds_serves_and_times_a_small_graph(tmp_path: Path) -> None:
    """``python -m bench --scale-only``: a generated graph built, served by tkg and the Oxigraph server."""
    out = tmp_path / "out"
    code = run_main(
        ["--quick", "--scale-only", "--scales", "0.05", "--work", str(tmp_path), "--out", str(out)]
    )
    assert code == 0
    (row,) = json.loads((out / "scale.json").read_text())
    assert row["build"]["total_triples"] > 0 and row["build"]["seconds"] > 0
    assert {"parse", "validate", "lint", "reason", "load", "dumps"} <= set(row["build"]["stages"])
    for key in ("first_query_ms", "canned_ms", "oxigraph_first_query_ms", "oxigraph_canned_ms"):
        assert row[key] > 0, key
    assert row["heavy_ms"]["lineage-closure"] > 0 and row["oxigraph_heavy_ms"]["lineage-closure"] > 0
    assert row["tkg"]["errors"] == 0 and row["oxigraph"]["errors"] == 0
    table = (out / "scale.md").read_text()
    assert f"| 0.05 | {row['build']['total_triples']:,} |" in table


def test_a_build_past_its_timeout_is_an_error_row_not_a_hang(tmp_path: Path) -> None:
    row = build_stats(tmp_path, None, None, False, timeout=0.5)
    assert "more than --build-timeout 0.5 s" in row["error"]
