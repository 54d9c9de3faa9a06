"""``tkg serve`` under granian: settings reach the workers, the access log, a graceful stop, the cache."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from server.wsgi import to_environment
from tests.conftest import tkg_serve
from tkg.config import Settings


def test_every_setting_survives_the_trip_through_the_environment(monkeypatch, tmp_path: Path) -> None:
    changed = Settings(
        build_dir=tmp_path / "b",
        query_timeout=1.5,
        max_rows=7,
        max_body_bytes=123,
        service_hosts=("a.example", "b.example"),
        answer_cache_mb=0,
        client_budget=2.5,
        trusted_proxies=("10.0.0.0/8", "::1"),
        budget_exempt=(),  # an empty list stays empty, not the default
    )
    env = to_environment(changed)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings().max_rows == 7 and Settings().service_hosts == ("a.example", "b.example")
    assert Settings().public_url is None  # unset stays unset, not the text "None"
    assert Settings().budget_exempt == () and Settings().trusted_proxies == ("10.0.0.0/8", "::1")
    assert Settings().allowed_hosts == ("127.0.0.1", "localhost", "::1")
    assert to_environment(Settings()) == env  # paths compare resolved, as a worker reads them


@pytest.mark.parametrize("access_log", [True, False])
def test_serve_prints_its_dataset_and_url_logs_requests_and_stops_on_sigterm(
    real_build: Settings, tmp_path: Path, access_log: bool
) -> None:
    flag = "--access-log" if access_log else "--no-access-log"
    with tkg_serve(real_build.build_dir, "--workers", "1", flag, log=tmp_path / "serve.log") as server:
        assert requests.get(f"{server.base}/sparql?query=ASK%20%7B%7D", timeout=10).ok
    output = server.log.read_text()
    version = json.loads((real_build.current_store / "manifest.json").read_text())["version"]
    assert server.returncode == 0, output
    assert f"serving dataset {version} " in output and f"on http://127.0.0.1:{server.port}/" in output
    assert ('"GET /sparql HTTP/1.1" 200' in output) is access_log


def test_serve_under_a_url_prefix(real_build: Settings, tmp_path: Path) -> None:
    """``SCRIPT_NAME`` in the environment mounts the service under that prefix, as under gunicorn."""
    options = ("--workers", "1", "--no-access-log")
    with tkg_serve(real_build.build_dir, *options, log=tmp_path / "serve.log", SCRIPT_NAME="/kg") as server:
        base = f"{server.base}/kg"
        answer = requests.get(base + "/sparql", params={"query": "ASK {}", "format": "json"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        moved = requests.get(base + "/id/org/fourth-international", allow_redirects=False, timeout=10)
        assert moved.status_code == 303 and moved.headers["Location"].startswith("/kg/id/org/")
    assert server.returncode == 0


# The response cache in front of Flask (server/edge_cache.py), through the real server.

JSON = "application/sparql-results+json"
ORGANISATIONS = (
    "PREFIX tkg: <https://w3id.org/trotskyism/ontology#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?o ?label WHERE { ?o a tkg:Organisation ; rdfs:label ?label } ORDER BY ?label LIMIT 20"
)
#: Outlives a one-second budget on the real graph: 503.
QUIET = "--no-access-log"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@contextmanager
def serving(real_build: Settings, log: Path, **env: str) -> Iterator[int]:
    """``tkg serve``, one worker (one cache), on a free port; stopped with SIGTERM, its output in ``log``."""
    with tkg_serve(real_build.build_dir, "--workers", "1", QUIET, log=log, **env) as server:
        yield server.port
    assert server.returncode == 0


def exchange(port: int, path: str, **headers: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """A GET on a fresh connection: the status, every header as sent (in order, but Date), the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        body = response.read()
        return response.status, [(k, v) for k, v in response.getheaders() if k.lower() != "date"], body
    finally:
        connection.close()


def sparql(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


def cache_stats(log: Path) -> dict[str, int]:
    """The counts the worker printed as it stopped: ``tkg response cache: hits 3, ...``."""
    line = re.search(r"^tkg response cache: (.*)$", log.read_text(), re.M)
    assert line, log.read_text()
    return {name: int(count) for name, count in (p.rsplit(" ", 1) for p in line.group(1).split(", "))}


def test_a_repeated_get_is_answered_from_the_cache_as_flask_sent_it(
    real_build: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    path = sparql(ORGANISATIONS)
    with serving(real_build, log) as port:
        first = exchange(port, path, Accept=JSON)  # Flask
        second = exchange(port, path, Accept=JSON)  # Flask: asked again, so now kept
        again = [exchange(port, path, Accept=JSON) for _ in range(3)]  # the cache
        csv = exchange(port, path, Accept="text/csv")
        csv_again = exchange(port, path, Accept="text/csv")
        gzipped = exchange(port, path, Accept=JSON, Accept_Encoding="gzip")
        etag = dict(first[1])["etag"]
        not_modified = exchange(port, path, Accept=JSON, If_None_Match=etag)  # the cache
        flask_304 = exchange(port, path, Accept=JSON, If_None_Match=etag, Cache_Control="no-cache")
        refreshed = exchange(port, path, Accept=JSON, Cache_Control="no-cache")  # Flask, stored again
    assert first[0] == 200 and json.loads(first[2])["results"]["bindings"]
    assert second == first and all(answer == first for answer in again)  # status, headers in order, body
    assert csv == csv_again and csv[0] == 200 and csv[2] != first[2]
    assert dict(csv[1])["content-type"].startswith("text/csv") and dict(csv[1])["etag"] != etag
    assert dict(gzipped[1])["content-encoding"] == "gzip" and dict(gzipped[1])["etag"] != etag
    headers = dict(first[1])
    for name in ("content-security-policy", "x-content-type-options", "access-control-allow-origin"):
        assert name in headers
    assert not_modified[0] == 304 and not_modified[2] == b""
    assert {k: v for k, v in not_modified[1] if k != "server"} == {
        k: headers[k] for k in headers if k not in ("content-type", "content-length", "server")
    }
    assert flask_304[0] == 304 and sorted(flask_304[1]) == sorted(not_modified[1])  # as Flask sends it
    assert refreshed == first
    stats = cache_stats(log)
    # a target is kept from its second request on: the hits are the three json after the second and
    # the second csv (were answers kept from the first request, the second json would hit too: five)
    assert stats["hits"] == 4 and stats["not modified"] == 1 and stats["passed"] == 2
    assert stats["stored"] == 4  # json, csv, gzipped json, and json again after no-cache


def test_errors_are_never_cached_and_the_cache_turns_off(real_build: Settings, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    failing = [sparql("SELEC nothing"), "/id/org/no-such-organisation", sparql(ENDLESS)]
    with serving(real_build, log, TKG_QUERY_TIMEOUT="1") as port:
        answers = [exchange(port, path, Accept=JSON) for path in failing for _ in range(2)]
    assert [status for status, _h, _b in answers] == [400, 400, 404, 404, 503, 503]
    stats = cache_stats(log)
    assert stats["stored"] == 0 and stats["hits"] == 0 and stats["not modified"] == 0
    off = tmp_path / "off.log"
    with serving(real_build, off, TKG_EDGE_CACHE_MB="0") as port:
        assert exchange(port, sparql("ASK {}"), Accept=JSON)[0] == 200
    assert "tkg response cache" not in off.read_text()
