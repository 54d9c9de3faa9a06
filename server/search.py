"""``/search``: find a resource by any of its names; HTML for people, JSON for programs.

The same index answers the pickers of the query pages (``/api/suggest``).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from tkg.search import SearchIndex

from .context import reader
from .errors import plain
from .linked_data import KIND_TITLES, cached
from .negotiation import page_or_json
from .urls import href, urls

bp = Blueprint("search", __name__)

MAX_LIMIT = 100


def index() -> SearchIndex:
    """The search index of the dataset version being served, loaded once per version."""
    return cached("tkg_search", lambda: SearchIndex(reader()))


@bp.get("/search")
def search() -> BaseResponse | str:
    query = request.args.get("q", "").strip()
    media = page_or_json(request.accept_mimetypes, request.args.get("format"))
    if media is None:
        return plain(406, "406 Not Acceptable: search answers text/html or application/json (format=json).")
    try:
        limit = min(MAX_LIMIT, max(1, int(request.args.get("limit", "20"))))
    except ValueError:
        return plain(400, "400 Bad Request: limit must be a whole number between 1 and 100.")
    if len(query) > 200:
        return plain(400, "400 Bad Request: the search text is longer than 200 characters.")
    links = urls()
    iri = links.canonical_iri(query) if query.startswith("http") else None
    if media == "text/html" and iri and links.local(iri):
        return redirect(links.href(iri), code=303)
    hits = []
    if query:
        found = index()  # built once per version, outside the charge: no client pays for it
        with reader().metered():  # the search costs the machine like a query: charged to the client
            hits = found.search(query, limit)
    if media == "application/json":
        if not query:
            return plain(
                400, "400 Bad Request: give the text to search for as q, e.g. /search?q=ILO&format=json."
            )
        response = jsonify(
            query=query,
            results=[
                {
                    "iri": h.iri,
                    "label": h.label,
                    "matched": h.matched,
                    "language": h.language,
                    "kind": h.kind,
                    "url": links.absolute_href(h.iri),
                    "score": h.score,
                }
                for h in hits
            ],
        )
    else:
        response = Response(
            render_template("search.html", query=query, hits=hits, titles=KIND_TITLES, href=href),
            mimetype="text/html",
        )
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
