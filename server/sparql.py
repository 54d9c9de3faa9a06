"""``/sparql``: the SPARQL 1.1 Protocol for queries over the read-only store.

GET with ``query``; POST as ``application/x-www-form-urlencoded`` or as
``application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri``
honoured; the answer's format negotiated from ``Accept`` (or ``format``)
before the query runs. Updates are refused, ``SERVICE`` is refused unless its
host is allow-listed, and queries run in killable processes with a time
budget and row and size caps. Answers carry an ETag derived from the dataset
version and the request, so repeated requests cost a 304.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, render_template, request

from tkg import formats
from tkg.service_addresses import refused_addresses
from tkg.sparql_text import looks_like_update, query_kind, refused_services
from tkg.store import RESULT_FORMATS, Dataset, Kind

from .answer_cache import mark
from .context import answer_cache, reader, settings, store
from .errors import plain
from .http import public
from .negotiation import choose, rdf_or_page
from .service_description import describe
from .urls import urls

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only."
#: The service description's formats (rdflib writes it): Turtle first, HTML for browsers second.
SD_FORMATS = formats.rdflib_names()


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def read_request() -> tuple[str | None, Dataset]:
    """The query and the protocol dataset of the request (``None``: no query)."""
    if request.method == "GET":
        params = request.args
        if "update" in params:
            raise ProtocolError(405, READ_ONLY + " (And updates are never sent with GET.)")
        queries = params.getlist("query")
    elif request.mimetype == FORM:
        params = request.values  # body, plus any dataset parameters in the URL
        if "update" in request.form:
            raise ProtocolError(403, READ_ONLY)
        queries = request.form.getlist("query")
        if "query" in request.args:
            raise ProtocolError(400, "Send the query in the body or in the URL, not both.")
    elif request.mimetype == DIRECT:
        params = request.args
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise ProtocolError(415, f"A query must be sent as UTF-8, not {charset}.")
        try:
            queries = [request.get_data().decode("utf-8")]
        except UnicodeDecodeError:
            raise ProtocolError(400, "The query is not valid UTF-8.") from None
    elif request.mimetype == "application/sparql-update":
        raise ProtocolError(403, READ_ONLY)
    else:
        raise ProtocolError(
            415,
            f"Unsupported media type {request.mimetype or '(none)'}: POST a query as {FORM} "
            f"(query=...) or as {DIRECT}.",
        )
    if len(queries) > 1:
        raise ProtocolError(400, "Exactly one query parameter is allowed.")
    dataset = Dataset(tuple(params.getlist("default-graph-uri")), tuple(params.getlist("named-graph-uri")))
    return (queries[0] if queries else None), dataset


def service_refusal(query: str) -> str | None:
    """Why the query's SERVICE calls may not be made (None: they may): by name, then by address."""
    refused = refused_services(query, settings().service_hosts)
    if refused:
        return (
            f"SERVICE is not allowed to {', '.join(refused)}: the host is not on this "
            "server's allow-list, and the endpoint does not proxy requests into its network."
        )
    refused = refused_addresses(query, settings().service_private_hosts)
    if refused:
        return (
            f"SERVICE is not allowed: {'; '.join(refused)}. The endpoint does not call into private "
            "networks (TKG_SERVICE_PRIVATE_HOSTS lists the hosts that may)."
        )
    return None


def etag_for(query: str, dataset: Dataset, media_type: str) -> str:
    """Same dataset version, query, dataset and format: same answer."""
    h = hashlib.sha256()
    for part in (store().version, query, *dataset.default_graphs, "|", *dataset.named_graphs, media_type):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


@bp.route("/sparql/", methods=["GET", "POST", "OPTIONS"], endpoint="endpoint_slash")
@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204)
    try:
        query, dataset = read_request()
    except ProtocolError as error:
        return plain(error.status, str(error))
    if query is None:
        return service_description()
    if looks_like_update(query):
        return plain(403, READ_ONLY)
    refusal = service_refusal(query)
    if refusal is not None:
        return plain(403, refusal)
    kind: Kind = query_kind(query) or "bindings"
    format_param = request.values.get("format")
    media_types = {
        k: m
        for k in RESULT_FORMATS
        if (m := choose(request.accept_mimetypes, RESULT_FORMATS[k], format_param))
    }
    if kind not in media_types:
        return plain(
            406,
            f"Cannot answer a {kind} result in the requested format. "
            f"Available: {', '.join(RESULT_FORMATS[kind])}.",
        )
    etag = etag_for(query, dataset, media_types[kind])
    if request.method == "GET" and request.if_none_match.contains(etag):
        return cached(Response(status=304), etag)
    cache = answer_cache()
    hit = cache.get(etag) if cache else None
    if hit is not None:
        return cached(hit.response(), etag)
    # a failure raises a QueryError, answered with its status by errors.query_error
    answer = reader().answer(query, media_types, dataset=dataset, base_iri=urls().here())
    response = answer_response(answer.media_type, answer.body)
    if cache:
        cache.put(etag, answer.media_type, answer.body)
        mark(response, etag)
    return cached(response, etag)


def answer_response(media_type: str, body: bytes) -> Response:
    response = Response(body, mimetype=media_type)
    if media_type.startswith("text/") or media_type.endswith(("json", "+xml")):
        response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    return response


def cached(response: Response, etag: str) -> Response:
    public(response, etag)
    response.vary.add("Accept")
    return response


def service_description() -> Response:
    """A SPARQL Service Description; a query form for browsers."""
    offered = rdf_or_page(list(SD_FORMATS))
    media_type = choose(request.accept_mimetypes, offered, request.args.get("format"))
    if media_type == "text/html":
        response = Response(render_template("sparql.html"), mimetype="text/html")
    elif media_type is None:
        return plain(406, f"The service description is available as {', '.join(offered)}.")
    else:
        graph = describe(urls().here(), store().manifest, federated=bool(settings().service_hosts))
        response = Response(graph.serialize(format=SD_FORMATS[media_type]), mimetype=media_type)
    response.vary.add("Accept")
    return response


@bp.after_request
def cors(response: Response) -> Response:
    """Any web page may query the endpoint: it is public and read-only."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Content-Type, Retry-After"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
        response.headers["Allow"] = "GET, POST, OPTIONS"
    return response
