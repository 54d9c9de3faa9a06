"""Errors that people and programs can both read: a status and one plain sentence.

Every 404 — an unknown IRI, query, picture, dump or route — is the same
answer: for browsers the not-found page with a search for what was asked, for
programs one sentence with the search URL (and a ``Link: rel="search"``).
Every query that fails on the read path raises a :class:`~tkg.store.QueryError`
carrying its status; :func:`query_error` turns it into the answer, once.
"""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from tkg.store import QueryError

from . import sparql_protocol
from .answer_cache import mark
from .negotiation import choose
from .sparql_protocol import Outcome
from .urls import urls


def plain(status: int, message: str, **headers: str) -> Response:
    """A status and one sentence in plain text (``Retry_After``: the ``Retry-After`` header)."""
    return outcome_response(sparql_protocol.plain(status, message, **headers))


def outcome_response(outcome: Outcome) -> Response:
    """A framework-neutral answer (:mod:`server.sparql_protocol`) as a Flask response."""
    response = Response(outcome.body, status=outcome.status, headers=outcome.headers)
    if outcome.cache_key is not None:
        mark(response, outcome.cache_key)
    return response


def query_error(error: QueryError) -> Response:
    """The one answer to a query that failed, wherever it was raised: its status and its sentence.

    A browser gets the sentence in a page, a program in plain text; a 503 says
    when to try again.
    """
    if not sparql_protocol.prefers_html(request.headers.get("Accept", "")):
        return outcome_response(sparql_protocol.refused(error))
    body = render_template(
        "query_error.html", status=error.status, title=error.title, sentence=error.sentence()
    )
    response = Response(body, status=error.status, mimetype="text/html")
    response.vary.add("Accept")
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def not_found(what: str, term: str) -> Response:
    """404 for people (the page, with a search for ``term``) and programs (a sentence with the search URL).

    ``what`` is a sentence saying what was not found.
    """
    search = urls().for_endpoint("search.search", external=True, q=term)
    if choose(request.accept_mimetypes, ["text/html", "text/plain"], None) == "text/html":
        html = render_template("not_found.html", what=what, term=term, search=search)
        response = Response(html, status=404, mimetype="text/html")
        response.vary.add("Accept")
        return response
    return plain(404, f"404 Not Found: {what} Search for it: {search}", Link=f'<{search}>; rel="search"')


def term_for(path: str) -> str:
    """What to search for, given a path nobody answers: its last segment, in words."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[0].replace("-", " ").replace("_", " ")


def register(app: Flask) -> None:
    """Answer every HTTP error in plain text (404: the not-found page), with no stack trace or file path."""

    app.register_error_handler(QueryError, query_error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if isinstance(error, NotFound):
            return not_found(f"Nothing is at {request.path}.", term_for(request.path))
        response = plain(error.code or 500, f"{error.code} {error.name}: {error.description}")
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error")
        return plain(500, sparql_protocol.UNEXPECTED)
