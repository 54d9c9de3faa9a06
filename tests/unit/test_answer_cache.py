"""The answer cache keeps each answer's gzipped body, so a repeated gzip request is not compressed again."""

from __future__ import annotations

import gzip
from pathlib import Path

from server import create_app
from server.answer_cache import AnswerCache
from tests.conftest import make_settings
from tests.unit.stores import make_store
from tkg.storage import swap_current


def test_the_gzip_body_is_made_once_and_kept() -> None:
    cache = AnswerCache(max_bytes=100_000)
    body = b"x,y\n" * 500
    cache.put("tag", "text/csv", body)
    calls = []

    def compress() -> bytes:
        calls.append(1)
        return gzip.compress(body)

    first = cache.gzipped("tag", compress)
    second = cache.gzipped("tag", compress)
    assert first == second and gzip.decompress(first) == body
    assert len(calls) == 1 and cache.compressions == 1
    entry = cache.get("tag")
    assert entry is not None and entry.gzipped == first


def test_the_gzip_body_counts_against_the_bound() -> None:
    cache = AnswerCache(max_bytes=1000)
    cache.put("a", "text/plain", b"a" * 200)
    cache.put("b", "text/plain", b"b" * 200)
    cache.gzipped("a", lambda: b"z" * 700)  # a+gzip+b is over the bound: the oldest goes
    assert cache.get("a") is None
    assert cache.get("b") is not None


def test_a_repeated_gzip_request_is_compressed_once(tmp_path: Path) -> None:
    """Through the app: the second identical request is a cache hit and reuses the gzipped body."""
    build_dir = tmp_path / "build"
    swap_current(build_dir, make_store(build_dir))
    app = create_app(make_settings(build_dir))
    client = app.test_client()
    cache = app.extensions["tkg_answer_cache"]
    query = {"query": "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s", "format": "csv"}
    headers = {"Accept-Encoding": "gzip"}
    try:
        first = client.get("/sparql", query_string=query, headers=headers)
        second = client.get("/sparql", query_string=query, headers=headers)
        plain = client.get("/sparql", query_string=query)
    finally:
        app.extensions["tkg_executor"].close()
    assert first.headers["Content-Encoding"] == second.headers["Content-Encoding"] == "gzip"
    assert first.data == second.data
    assert gzip.decompress(second.data) == plain.data and "Content-Encoding" not in plain.headers
    assert cache.hits == 2 and cache.compressions == 1
