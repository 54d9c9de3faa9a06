"""Errors that people and programs can both read: a status and one plain sentence."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException


def plain(status: int, message: str, **headers: str) -> Response:
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def register(app: Flask) -> None:
    """Answer every HTTP error in plain text, with no stack trace or file path."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = plain(error.code or 500, f"{error.code} {error.name}: {error.description}")
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error")
        return plain(500, "500 Internal Server Error: the server failed to answer; this is our fault.")
