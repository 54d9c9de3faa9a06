"""Canned queries for readers and programs.

``/queries``: the gallery, grouped by tag. ``/queries/<name>``: the question in
words, a form for its parameters, the results as a table of links, downloads,
the SPARQL and a permalink (the page's own URL with its parameters).
``/api/queries/<name>``: the same query as an API answering SPARQL JSON, CSV,
TSV or XML, described by ``/api/openapi.json``. ``/api/suggest`` feeds the
organisation pickers. Parameter values are bound as RDF terms, never pasted
into query text.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for

from tkg import formats
from tkg.canned import CannedQuery, ParameterError, by_tag, load_all
from tkg.namespaces import PREFIXES
from tkg.store import QueryError

from .context import reader, store
from .errors import not_found, plain
from .http import public
from .negotiation import choose
from .openapi import document as openapi_document
from .pictures import data as pictures
from .results import Table, table
from .search import index as search_index
from .urls import urls

bp = Blueprint("queries", __name__)

#: What the API answers (every SELECT/ASK format of the registry), first is the default.
API_FORMATS = formats.media_types("bindings")


def canned(name: str) -> CannedQuery | None:
    return load_all().get(name)


@bp.get("/queries")
@bp.get("/queries/")
def gallery() -> str:
    queries = load_all()
    return render_template("queries.html", groups=by_tag(queries), count=len(queries))


def run_for_page(query: CannedQuery, bound: dict) -> Table:
    """The results table; a failure raises a :class:`~tkg.store.QueryError` with its status."""
    return table(reader().rows(query.text, bound))


@bp.get("/queries/<name>")
def page(name: str) -> Response | str:
    query = canned(name)
    if query is None:
        return not_found(f"There is no question called “{name}”.", name.replace("-", " "))
    values = query.values(request.args)
    error = table_ = None
    status, retry_after = 200, None
    try:
        bound = query.bind(request.args)
    except ParameterError as exc:
        bound, error, status = None, str(exc), 400
    if bound is not None:
        try:
            table_ = run_for_page(query, bound)
        except QueryError as exc:  # the page shows the sentence, with the error's status
            error, status, retry_after = exc.sentence(), exc.status, exc.retry_after
    labels = {}
    for param in query.parameters:
        if param.type == "iri" and param.name in values and bound and param.variable in bound:
            labels[param.name] = pictures.label_of(bound[param.variable].value)[0] or values[param.name]
    picture = _picture(query, bound) if bound is not None and not error else None
    api_args = urlencode(values)
    body = render_template(
        "query.html",
        query=query,
        values=values,
        labels=labels,
        table=table_,
        error=error,
        picture=picture,
        api_args=api_args,
        permalink=urls().for_endpoint("queries.page", external=True, name=name)
        + (f"?{api_args}" if api_args else ""),
        editor_link=url_for("editor.editor", query=query.editor_text(bound or {})),
    )
    response = Response(body, status=status, mimetype="text/html")
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _picture(query: CannedQuery, bound: dict) -> str | None:
    """The SVG a query's page shows beside its table (``#+ picture:`` in its header)."""
    try:
        if query.picture == "family-tree" and "_org_iri" in bound:
            return pictures.family_tree_svg(bound["_org_iri"].value)
        if query.picture == "timeline":
            return pictures.timeline_svg(int(bound["_from_integer"].value), int(bound["_to_integer"].value))
        if query.picture == "positions":
            return pictures.positions_svg()
    except QueryError:  # the table says what went wrong; the picture is left out
        return None
    return None


@bp.get("/api/queries/<name>")
def api(name: str) -> Response:
    query = load_all().get(name)
    if query is None:
        return not_found(f"There is no canned query {name!r}; the list is at {url_for('api.openapi')}.", name)
    media_type = choose(request.accept_mimetypes, API_FORMATS, request.args.get("format"))
    if media_type is None:
        names = formats.short_names(formats.carrying("bindings"))
        return plain(406, f"This API answers {', '.join(API_FORMATS)} (or format={names}).")
    try:
        bound = query.bind(request.args)
    except ParameterError as error:
        return plain(400, f"Bad parameter: {error}")
    values = query.values(request.args)
    etag = hashlib.sha256(
        "|".join([store().version, name, json.dumps(values, sort_keys=True), media_type]).encode()
    ).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        return _cached(Response(status=304), etag)
    # a failure raises a QueryError, answered with its status by errors.query_error
    answer = reader().answer(query.text, {"bindings": media_type, "boolean": media_type}, bound)
    response = Response(answer.body, mimetype=media_type)
    response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    if request.args.get("download"):
        extension = formats.of(media_type).extension
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return _cached(response, etag)


def _cached(response: Response, etag: str) -> Response:
    public(response, etag)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response


DEFAULT_CLASS = "https://w3id.org/trotskyism/ontology#Organisation"
SUGGESTIONS = 12


@bp.get("/api/suggest")
def suggest() -> Response:
    """Resources of class ``class`` (organisations) whose names match ``q``: the ``/search`` index."""
    text = request.args.get("q", "").strip()
    if len(text) > 200:
        return plain(400, "q is longer than 200 characters.")
    class_iri = request.args.get("class", "").strip() or DEFAULT_CLASS
    try:
        rdf_class = ox.NamedNode(class_iri)
    except ValueError:
        return plain(400, f"class must be an IRI, not {class_iri!r}.")
    hits = []
    if text:
        found = search_index()  # built outside the charge: no client pays for it
        with reader().metered():
            hits = found.search(text, SUGGESTIONS, rdf_class.value)
    items = [{"iri": h.iri, "label": h.label} for h in hits]
    return public(Response(json.dumps(items, ensure_ascii=False), mimetype="application/json"))


api_bp = Blueprint("api", __name__)


@api_bp.get("/api/openapi.json")
def openapi() -> Response:
    doc = openapi_document(load_all(), urls().base, store().version)
    response = Response(json.dumps(doc, indent=1, ensure_ascii=False), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@api_bp.get("/api/prefixes")
def prefixes() -> Response:
    """The project's prefixes, in prefix.cc's JSON shape, for the editor's prefix completion."""
    return public(Response(json.dumps(PREFIXES), mimetype="application/json"))
