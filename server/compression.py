"""gzip for clients that ask for it; answers are small enough to compress in memory."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

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
        response.set_data(gzip.compress(response.get_data(), compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
        if response.headers.get("ETag"):
            tag, weak = response.get_etag()
            response.set_etag(tag + "-gzip", weak=weak)
        return response
