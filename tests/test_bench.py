"""The benchmark runs end to end in quick mode: three services, the load, the build, a scale point.

It proves the harness works; its figures are not asserted (speed is judged by
the full benchmark's report, never by timed assertions).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from server import create_app
from tkg.config import ROOT, Settings


def test_quick_benchmark_writes_both_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out), "--work", str(tmp_path / "work")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads((out / "report.json").read_text())
    services = {(r["service"], r["mode"]) for r in data["http"]["runs"]}
    assert services == {
        ("oxigraph", "plain"),
        ("rdflib", "plain"),
        ("tkg", "off"),
        ("tkg", "on"),
        ("tkg", "revalidate"),
    }
    for run in data["http"]["runs"]:
        assert run["requests"] > 0 and run["errors"] < run["requests"], run
        assert run["p50_ms"] <= run["p99_ms"]
    # revalidation is answered by 304s, the answer cache by 200s
    assert all("304" in r["statuses"] for r in data["http"]["runs"] if r["mode"] == "revalidate")
    # the services over the same store agree on the canned questions
    agreement = data["http"]["agreement"]
    assert agreement["ancestors"]["agree"] and agreement["ancestors"]["sizes"]["tkg"] > 0
    assert set(data["build"]["stages"]) >= {"parse", "validate", "reason", "load"}
    assert data["build"]["reasoners"]["identical"] is True
    assert data["scale"] and "error" not in data["scale"][0]["build"]
    report = (out / "report.md").read_text()
    assert "## Targets" in report and "| tkg | off | canned | 8 |" in report
    assert {t["target"] for t in data["targets"]} >= {
        "uncached canned throughput vs Oxigraph server, 8 clients",
        "reasoning speed-up over owlrl's full closure",
    }


def test_answer_cache_serves_repeats_without_changing_answers(real_build: Settings) -> None:
    app = create_app(real_build)
    client = app.test_client()
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    headers = {"Accept": "application/sparql-results+json"}
    first = client.get("/sparql", query_string={"query": query}, headers=headers)
    second = client.get("/sparql", query_string={"query": query}, headers=headers)
    cache = app.extensions["tkg_answer_cache"]
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert cache.hits == 1
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
