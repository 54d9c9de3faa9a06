"""``/sparql``: the SPARQL 1.1 Protocol for queries over the read-only store.

GET with ``query``; POST as ``application/x-www-form-urlencoded`` or as
``application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri``
honoured; the result format chosen by ``Accept`` (or ``format``). Updates are
refused: the service is read-only.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from tkg.namespaces import NAMED_GRAPHS
from tkg.store import RESULT_FORMATS, Dataset, QuerySyntaxError

from .context import store
from .negotiation import choose

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only."


def error(status: int, message: str) -> Response:
    """A plain-text error that people and programs can both read."""
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"
    return response


def _query_and_dataset() -> tuple[str | None, Dataset, Response | None]:
    """Read the query and dataset from the request, or an error response."""
    if request.method == "GET":
        params = request.args
        if "update" in params:
            return None, Dataset(), error(405, READ_ONLY)
        queries = params.getlist("query")
    else:
        mimetype = request.mimetype
        if mimetype == FORM:
            params = request.form
            if "update" in params:
                return None, Dataset(), error(403, READ_ONLY)
            queries = params.getlist("query")
            params = request.values
        elif mimetype == DIRECT:
            try:
                queries = [request.get_data().decode(request.mimetype_params.get("charset", "utf-8"))]
            except (UnicodeDecodeError, LookupError):
                return None, Dataset(), error(400, "The query is not valid UTF-8.")
            params = request.args
        elif mimetype == "application/sparql-update":
            return None, Dataset(), error(403, READ_ONLY)
        else:
            return (
                None,
                Dataset(),
                error(
                    415,
                    f"Unsupported media type {mimetype or '(none)'}: POST a query as "
                    f"{FORM} (query=...) or as {DIRECT}.",
                ),
            )
    if len(queries) > 1:
        return None, Dataset(), error(400, "Exactly one query parameter is allowed.")
    dataset = Dataset(tuple(params.getlist("default-graph-uri")), tuple(params.getlist("named-graph-uri")))
    return (queries[0] if queries else None), dataset, None


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    query, dataset, problem = _query_and_dataset()
    if problem is not None:
        return problem
    if query is None:
        return service_description()
    try:
        result = store().query(query, dataset)
    except QuerySyntaxError as exc:
        return error(400, f"Malformed query: {exc}")
    offered = RESULT_FORMATS[result.kind]
    media_type = choose(request.accept_mimetypes, offered, request.values.get("format"))
    if media_type is None:
        return error(
            406,
            f"Cannot answer a {result.kind} result in the requested format. Available: {', '.join(offered)}.",
        )
    body = result.serialize(media_type)
    response = Response(body, mimetype=media_type)
    if media_type.startswith("text/") or media_type.endswith(("+json", "+xml", "json")):
        response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    response.headers["Vary"] = "Accept"
    return response


SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix ent: <http://www.w3.org/ns/entailment/> .
@prefix prof: <http://www.w3.org/ns/owl-profile/> .
@prefix void: <http://rdfs.org/ns/void#> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:defaultEntailmentRegime ent:OWL-RDF-Based ;
    sd:defaultSupportedEntailmentProfile prof:RL ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_XML> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_CSV> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_TSV> ,
        <http://www.w3.org/ns/formats/Turtle> ,
        <http://www.w3.org/ns/formats/N-Triples> ,
        <http://www.w3.org/ns/formats/JSON-LD> ,
        <http://www.w3.org/ns/formats/RDF_XML> ;
    sd:defaultDataset [
        a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ; void:triples {total} ] ;
{named}
    ] .
"""


def service_description() -> Response:
    """A SPARQL Service Description, for a GET without a query."""
    manifest = store().manifest
    named = " ;\n".join(
        f"        sd:namedGraph [ a sd:NamedGraph ; sd:name <{iri}> ;"
        f" sd:graph [ a sd:Graph ; void:triples {manifest.graphs.get(iri, 0)} ] ]"
        for iri in NAMED_GRAPHS
    )
    body = SERVICE_DESCRIPTION.format(endpoint=request.base_url, total=manifest.triples, named=named)
    response = Response(body, mimetype="text/turtle")
    response.headers["Vary"] = "Accept"
    return response
