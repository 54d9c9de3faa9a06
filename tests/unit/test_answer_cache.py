"""The answer cache keeps each answer's gzipped body, so a repeated gzip request is not compressed again."""

from __future__ import annotations

import gzip

from server.answer_cache import AnswerCache


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
