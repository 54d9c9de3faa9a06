"""``/reconcile``: the W3C Reconciliation Service API 0.2, as OpenRefine speaks it.

``GET /reconcile`` answers the manifest; ``queries=`` (GET, or a POST form as
OpenRefine sends it) a batch of reconciliation queries; ``extend=`` a data
extension. Suggest (entities, types, properties), previews (a small HTML card)
and property proposals have their own paths, named in the manifest. Every answer
allows any origin (CORS), and GET answers may be wrapped for JSONP
(``callback=``). A batch that is not what the specification describes gets 400
with a sentence saying what is wrong. The matching itself is
:class:`tkg.reconcile.Reconciler`, over the search index ``/search`` uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, render_template, request
from markupsafe import escape
from werkzeug.wrappers import Response as BaseResponse

from tkg import reconcile as rc
from tkg.namespaces import OWL

from . import security
from .context import reader, store
from .errors import plain
from .linked_data import cached
from .search import index
from .urls import urls

bp = Blueprint("reconcile", __name__)

MAX_QUERIES = 100
MAX_LIMIT = 100
MAX_IDS = 500
#: Properties one query may weigh (each is compared with every name of its values).
MAX_PROPERTIES = 20
CALLBACK = re.compile(r"[A-Za-z_$][\w$.]{0,63}\Z")
CLASSES = frozenset({OWL + "Class"})


def reconciler() -> rc.Reconciler:
    """The reconciler of the dataset version being served, built once per version."""
    return cached("tkg_reconciler", lambda: rc.Reconciler(index(), reader()))


@bp.after_request
def _cors(response: BaseResponse) -> BaseResponse:
    """Reconciliation clients run anywhere: OpenRefine's server, or scripts in other sites' pages."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


def _json(document: Any) -> Response:
    """``document`` as JSON, or as a JSONP call when a GET names a (well-formed) ``callback``."""
    body = json.dumps(document, ensure_ascii=False)
    callback = request.args.get("callback") if request.method == "GET" else None
    if callback and CALLBACK.match(callback):
        return Response(f"/**/{callback}({body});", mimetype="application/javascript")
    return Response(body, mimetype="application/json")


def _param(name: str) -> str | None:
    """A parameter from the POST form or the query string."""
    return request.form.get(name) if name in request.form else request.args.get(name)


def _not_json(constant: str) -> Any:
    """Python's JSON reader accepts ``NaN`` and ``Infinity``; JSON does not, and no year is infinite."""
    raise ValueError(f"{constant} is not a JSON value")


def _parse(name: str, text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_not_json)
    except ValueError as error:
        raise rc.BadQuery(f"{name} is not JSON: {error}.") from None
    except RecursionError:
        raise rc.BadQuery(f"{name} nests deeper than JSON parsing allows.") from None


@bp.route("/reconcile", methods=["GET", "POST"])
def endpoint() -> BaseResponse:
    queries, extend = _param("queries"), _param("extend")
    try:
        if queries is not None:
            return _json(_reconcile(_parse("queries", queries)))
        if extend is not None:
            return _json(_extend(_parse("extend", extend)))
    except rc.BadQuery as error:
        return plain(400, f"400 Bad Request: {error}")
    return _json(manifest())


def manifest() -> dict[str, Any]:
    links = urls()
    base = links.absolute("")
    known = set(reconciler().all_types())
    return {
        "versions": ["0.2"],
        "name": "Trotskyist movement knowledge graph",
        "identifierSpace": rc.ID,
        "schemaSpace": rc.ONTOLOGY,
        "documentation": links.absolute("/reconcile/docs"),
        "serviceVersion": store().version,
        "defaultTypes": [
            {"id": t, "name": reconciler().label(rc.schema_iri(t))}
            for t in rc.DEFAULT_TYPES
            if rc.schema_iri(t) in known
        ],
        "view": {"url": links.absolute("/id/{{id}}")},
        "preview": {"url": links.absolute("/reconcile/preview?id={{id}}"), "width": 420, "height": 140},
        "suggest": {
            kind: {
                "service_url": base,
                "service_path": f"/reconcile/suggest/{kind}",
                "flyout_service_path": f"/reconcile/flyout/{kind}?id=${{id}}",
            }
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/reconcile/propose_properties"},
            "property_settings": [],
        },
    }


def _reconcile(batch: Any) -> dict[str, Any]:
    if not isinstance(batch, dict) or not batch:
        raise rc.BadQuery('queries must be a JSON object of queries, e.g. {"q0": {"query": "USFI"}}.')
    if len(batch) > MAX_QUERIES:
        raise rc.BadQuery(f"a batch holds at most {MAX_QUERIES} queries, not {len(batch)}.")
    parsed = {key: _query(key, value) for key, value in batch.items()}
    service = reconciler()  # built once per version, outside the charge: no client pays for it
    with reader().metered():  # the batch costs the machine like queries: charged to the client
        return {
            key: {"result": [_candidate(c) for c in service.reconcile(query)]}
            for key, query in parsed.items()
        }


def _query(key: str, value: Any) -> rc.Query:
    """One query of a batch, checked: what is wrong is said with the query's key."""
    if not isinstance(value, dict):
        raise rc.BadQuery(f"query {key!r} must be an object with a 'query' string.")
    text = value.get("query")
    if not isinstance(text, str) or not text.strip():
        raise rc.BadQuery(f"query {key!r} needs a 'query': the name to match, as a non-empty string.")
    if len(text) > 200:
        raise rc.BadQuery(f"query {key!r} is longer than 200 characters.")
    limit = value.get("limit", 10)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not 1 <= limit <= MAX_LIMIT:
        raise rc.BadQuery(f"query {key!r}: limit must be a number from 1 to {MAX_LIMIT}.")
    kinds = value.get("type")
    types = None
    if kinds is not None:
        listed = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(listed, list) or not all(isinstance(t, str) and t for t in listed):
            raise rc.BadQuery(f"query {key!r}: type must be a type identifier or a list of them.")
        types = frozenset(rc.schema_iri(t) for t in listed) if listed else None
    props = value.get("properties", [])
    if not isinstance(props, list) or len(props) > MAX_PROPERTIES:
        raise rc.BadQuery(
            f"query {key!r}: properties must be a list of at most {MAX_PROPERTIES} {{pid, v}} objects."
        )
    checked = []
    for prop in props:
        if not isinstance(prop, dict) or not isinstance(prop.get("pid"), str) or "v" not in prop:
            raise rc.BadQuery(f"query {key!r}: each property must be an object with a 'pid' and a 'v'.")
        values = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
        if not all(isinstance(v, str | int | float | bool | Mapping) for v in values):
            raise rc.BadQuery(f"query {key!r}: a property value must be a string, number or {{id}} object.")
        checked.append((rc.property_for(prop["pid"]), tuple(values)))
    return rc.Query(text.strip(), types, int(limit), tuple(checked))


def _candidate(c: rc.Candidate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rc.entity_id(c.iri),
        "name": c.name,
        "score": c.score,
        "match": c.match,
        "type": [{"id": t, "name": name} for t, name in c.types],
        "features": [{"id": f, "value": v} for f, v in c.features],
    }
    if c.description:
        out["description"] = c.description
    return out


def _extend(query: Any) -> dict[str, Any]:
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list):
        raise rc.BadQuery('extend must be a JSON object with "ids" and "properties" lists.')
    ids, props = query["ids"], query.get("properties")
    if not isinstance(props, list) or not props:
        raise rc.BadQuery('extend needs "properties": a list of {"id": ...} objects.')
    if len(ids) > MAX_IDS or not all(isinstance(i, str) for i in ids):
        raise rc.BadQuery(f"extend ids must be at most {MAX_IDS} entity identifiers (strings).")
    chosen = []
    for prop in props:
        if not isinstance(prop, dict) or not isinstance(prop.get("id"), str):
            raise rc.BadQuery('each property of extend must be an object with an "id" string.')
        chosen.append(rc.property_for(prop["id"]))
    service = reconciler()
    iris = {i: rc.entity_iri(i) or i for i in ids}
    with reader().metered():
        rows = service.extend(iris.values(), chosen)
    return {
        "meta": [_meta(p) for p in chosen],
        "rows": {i: rows[iri] for i, iri in iris.items()},
    }


def _meta(prop: rc.Property) -> dict[str, Any]:
    meta: dict[str, Any] = {"id": prop.id, "name": prop.name}
    if prop.range is not None:
        meta["type"] = {"id": prop.range, "name": reconciler().label(rc.schema_iri(prop.range))}
    return meta


def _suggest_args() -> tuple[str, int] | Response:
    prefix = request.args.get("prefix", "").strip()
    if len(prefix) > 200:
        return plain(400, "400 Bad Request: prefix is longer than 200 characters.")
    try:
        cursor = max(0, int(request.args.get("cursor", "0")))
    except ValueError:
        return plain(400, "400 Bad Request: cursor must be a whole number.")
    return prefix, cursor


@bp.get("/reconcile/suggest/entity")
def suggest_entity() -> Response:
    args = _suggest_args()
    if isinstance(args, Response):
        return args
    prefix, cursor = args
    kinds = request.args.get("type")
    classes = frozenset({rc.schema_iri(kinds)}) if kinds else None
    service, found = reconciler(), index()
    with reader().metered():
        hits = found.search(prefix, cursor + 20, classes=classes) if prefix else []
    result = []
    for hit in hits[cursor:]:
        if hit.kind == "term":
            continue
        item: dict[str, Any] = {
            "id": rc.entity_id(hit.iri),
            "name": hit.label,
            "notable": [{"id": t, "name": n} for t, n in service.types_of(hit.iri)],
        }
        if description := service.describe(hit.iri):
            item["description"] = description
        result.append(item)
    return _json({"result": result})


@bp.get("/reconcile/suggest/type")
def suggest_type() -> Response:
    args = _suggest_args()
    if isinstance(args, Response):
        return args
    prefix, cursor = args
    service = reconciler()
    with reader().metered():
        found = service.suggest_schema(prefix, CLASSES, cursor + 20)[cursor:]
    return _json({"result": [{"id": i, "name": n} for i, n in found]})


@bp.get("/reconcile/suggest/property")
def suggest_property() -> Response:
    args = _suggest_args()
    if isinstance(args, Response):
        return args
    folded = rc.fold(args[0])
    offered = [
        p for p in rc.PROPERTIES if not folded or folded in rc.fold(f"{p.id} {p.name} {p.description}")
    ]
    return _json({"result": [{"id": p.id, "name": p.name, "description": p.description} for p in offered]})


@bp.get("/reconcile/propose_properties")
def propose_properties() -> Response:
    kind = request.args.get("type", "Organisation")
    try:
        limit = min(len(rc.PROPERTIES), max(1, int(request.args.get("limit", str(len(rc.PROPERTIES))))))
    except ValueError:
        return plain(400, "400 Bad Request: limit must be a whole number.")
    proposed = rc.PROPERTIES[:limit] if rc.schema_id(kind) != "Person" else rc.PROPERTIES[5:6]
    return _json(
        {
            "type": kind,
            "limit": limit,
            "properties": [{"id": p.id, "name": p.name, "description": p.description} for p in proposed],
        }
    )


def _entity_or_404() -> str | Response:
    identifier = request.args.get("id", "")
    iri = rc.entity_iri(identifier)
    if iri is None or iri not in reconciler().index.labels:
        return plain(404, f"404 Not Found: {identifier!r} is not an entity of this dataset.")
    return iri


@bp.get("/reconcile/preview")
def preview() -> Response:
    """A small HTML card: name, kind, other names, country, dates, a link to the page."""
    iri = _entity_or_404()
    if isinstance(iri, Response):
        return iri
    service = reconciler()
    facts = service.facts.get(iri, {})
    others = sorted({n.text for n in service.index.names if n.iri == iri and not n.main})
    html = render_template(
        "reconcile_preview.html",
        name=service.label(iri),
        iri=iri,
        href=urls().absolute_href(iri),
        description=service.describe(iri),
        others=others[:8],
        facts=[
            (p.name, [service.label(t.value) if rc.entity_iri(t.value) else t.value for t in facts[p.id]])
            for p in rc.PROPERTIES[:4]
            if facts.get(p.id)
        ],
    )
    response = Response(html, mimetype="text/html")
    # OpenRefine shows the card in an iframe of its own page: any site may frame it (a frame-ancestors
    # directive makes browsers ignore the X-Frame-Options the other pages carry).
    response.headers["Content-Security-Policy"] = security.CSP.replace(
        "frame-ancestors 'none'", "frame-ancestors *"
    )
    return response


@bp.get("/reconcile/flyout/<kind>")
def flyout(kind: str) -> Response:
    """The suggest widget's flyout: the preview card as an HTML fragment in JSON."""
    if kind != "entity":
        identifier = request.args.get("id", "")
        return _json({"id": identifier, "html": f"<p>{escape(rc.schema_id(identifier))}</p>"})
    response = preview()
    if response.status_code != 200:
        return response
    return _json({"id": request.args.get("id", ""), "html": response.get_data(as_text=True)})


@bp.get("/reconcile/docs")
def docs() -> Response:
    """Where the manifest's ``documentation`` points: how to use the service from OpenRefine."""
    return Response(render_template("reconcile_docs.html", endpoint=urls().absolute("/reconcile")))
