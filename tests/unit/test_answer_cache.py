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


def test_an_answer_is_offered_into_the_cache_from_its_second_request_on() -> None:
    cache = AnswerCache(max_bytes=100_000)
    assert not cache.offer("tag", "text/csv", b"x\n") and cache.get("tag") is None
    assert not cache.offer("other", "text/csv", b"y\n")
    assert cache.offer("tag", "text/csv", b"x\n")
    entry = cache.get("tag")
    assert entry is not None and entry.body == b"x\n" and cache.get("other") is None


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
        first, second, third = (client.get("/sparql", query_string=query, headers=headers) for _ in range(3))
        plain = client.get("/sparql", query_string=query)
    finally:
        app.extensions["tkg_executor"].close()
    assert {r.headers["Content-Encoding"] for r in (first, second, third)} == {"gzip"}
    assert gzip.decompress(first.data) == gzip.decompress(third.data) == plain.data
    assert "Content-Encoding" not in plain.headers
    # the first answer is not kept (compressed outside the cache); the second is kept with its gzip,
    # which the third reuses; the plain request is the second hit
    assert cache.hits == 2 and cache.compressions == 1 and third.data == second.data
