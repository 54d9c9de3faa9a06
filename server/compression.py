"""gzip for clients that ask for it; answers are small enough to compress in memory.

An answer from the answer cache is compressed once: its gzipped body is kept
in the cache beside the plain one.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, current_app, request

from .answer_cache import key_of

MIN_SIZE = 512


def register(app: Flask) -> None:
    @app.after_request
    def compress(response: Response) -> Response:
        response.vary.add("Accept-Encoding")
        if (
            "gzip" not in request.accept_encodings
            or response.status_code != 200
            or response.direct_passthrough
            or "Content-Encoding" in response.headers
            or response.content_length is None
            or response.content_length < MIN_SIZE
        ):
            return response
        cache = current_app.extensions.get("tkg_answer_cache")
        key = key_of(response)
        body = response.get_data()
        if cache is not None and key is not None:
            data = cache.gzipped(key, lambda: gzip.compress(body, compresslevel=6))
        else:
            data = gzip.compress(body, compresslevel=6)
        response.set_data(data)
        response.headers["Content-Encoding"] = "gzip"
        tag, weak = response.get_etag()
        if tag:
            response.set_etag(tag + "-gzip", weak=bool(weak))
        return response
