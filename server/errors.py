"""Errors that people and programs can both read: a status and one plain sentence."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from tkg.store import QueryError


def plain(status: int, message: str, **headers: str) -> Response:
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def query_error(error: QueryError) -> Response:
    """The one answer to a query that failed, wherever it was raised: its status and its sentence.

    A browser gets the sentence in a page, a program in plain text; a 503 says
    when to try again.
    """
    headers = {"Retry_After": str(error.retry_after)} if error.retry_after else {}
    # text/plain first: a tie (``*/*``, no Accept) goes to programs
    if request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html":
        body = render_template(
            "query_error.html", status=error.status, title=error.title, sentence=error.sentence()
        )
        response = Response(body, status=error.status, mimetype="text/html")
        response.vary.add("Accept")
        for name, value in headers.items():
            response.headers[name.replace("_", "-")] = value
        return response
    return plain(error.status, error.sentence(), **headers)


def register(app: Flask) -> None:
    """Answer every HTTP error in plain text, with no stack trace or file path."""

    app.register_error_handler(QueryError, query_error)

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
