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

from flask import Blueprint, Response, render_template, request

from tkg import formats

from .context import answer_cache, reader, settings, store
from .errors import outcome_response, plain
from .negotiation import choose, rdf_or_page
from .service_description import describe
from .sparql_protocol import CORS, Call, Outcome, Protocol
from .urls import urls

bp = Blueprint("sparql", __name__)

#: The service description's formats (rdflib writes it): Turtle first, HTML for browsers second.
SD_FORMATS = formats.rdflib_names()


def protocol() -> Protocol:
    """The query protocol for this request (its rules are in :mod:`server.sparql_protocol`): made per
    request, since a remote store pins each request to the version it reads then."""
    return Protocol(settings(), store().version, answer_cache())


def call() -> Call:
    """The request as the protocol reads it (``get_data`` answers 413 past ``TKG_MAX_BODY_BYTES``)."""
    headers = request.headers
    return Call(
        request.method,
        request.query_string,
        request.get_data(),
        urls().here(),
        headers.get("Content-Type", ""),
        headers.get("Accept", ""),
        headers.get("If-None-Match", ""),
    )


@bp.route("/sparql/", methods=["GET", "POST", "OPTIONS"], endpoint="endpoint_slash")
@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204)
    rules = protocol()
    plan = rules.plan(call())
    if plan is None:
        return service_description()
    if isinstance(plan, Outcome):
        return outcome_response(plan)
    # a failure raises a QueryError, answered with its status by errors.query_error
    answer = reader().answer(plan.query, plan.media_types, dataset=plan.dataset, base_iri=plan.here)
    return outcome_response(rules.answered(plan, answer))


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
    response.headers.update(CORS)
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
        response.headers["Allow"] = "GET, POST, OPTIONS"
    return response
