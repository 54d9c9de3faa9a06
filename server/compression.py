"""gzip for clients that ask for it; answers are small enough to compress in memory.

An answer from the answer cache is compressed once: its gzipped body is kept
in the cache beside the plain one.
"""

from __future__ import annotations

import gzip
from functools import lru_cache

from flask import Flask, Response, current_app, request
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

from .answer_cache import AnswerCache, key_of

MIN_SIZE = 512


@lru_cache(maxsize=256)
def wants_gzip(accept_encoding: str) -> bool:
    """Whether a client with this ``Accept-Encoding`` takes gzip (as werkzeug's ``accept_encodings`` says)."""
    return "gzip" in parse_accept_header(accept_encoding, Accept)


def gzipped(body: bytes, key: str | None, cache: AnswerCache | None) -> bytes:
    """``body`` gzipped; compressed once if it is the answer cache's entry ``key``."""
    if cache is not None and key is not None:
        return cache.gzipped(key, lambda: gzip.compress(body, compresslevel=6))
    return gzip.compress(body, compresslevel=6)


def register(app: Flask) -> None:
    @app.after_request
    def compress(response: Response) -> Response:
        response.vary.add("Accept-Encoding")
        if (
            not wants_gzip(request.headers.get("Accept-Encoding", ""))
            or response.status_code != 200
            or response.direct_passthrough
            or "Content-Encoding" in response.headers
            or response.content_length is None
            or response.content_length < MIN_SIZE
        ):
            return response
        cache = current_app.extensions.get("tkg_answer_cache")
        response.set_data(gzipped(response.get_data(), key_of(response), cache))
        response.headers["Content-Encoding"] = "gzip"
        tag, weak = response.get_etag()
        if tag:
            response.set_etag(tag + "-gzip", weak=bool(weak))
        return response
