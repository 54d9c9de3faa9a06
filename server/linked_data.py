"""``/id/...``: every instance IRI dereferences, the 303 way (Cool URIs for the Semantic Web).

An IRI such as ``/id/org/x`` names an organisation, not a document, so it
answers ``303 See Other`` to the document that describes it in the format the
client asked for (``Accept``, or ``?format=``): ``x.html`` for browsers, and
``x.ttl``, ``x.jsonld``, ``x.nt``, ``x.rdf``, ``x.trig``, ``x.nq`` for RDF
clients. Those documents answer 200 with a fixed type, so they can be linked
from anywhere. An IRI merged into another or renamed (``owl:deprecated true``
plus ``dcterms:isReplacedBy``) answers ``301 Moved Permanently`` to its
replacement, and its documents to the replacement's, so old links keep working.
Unknown IRIs get 404 with a link to the search. ``/id/`` and
``/id/<kind>/`` list the resources, so that everything can be reached by links.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tkg.describe import Description, describe, exists, local_name, resource_iri
from tkg.lineage import Lineage
from tkg.namespaces import ID, KINDS
from tkg.reads import value

from .context import reader, store
from .errors import not_found, plain
from .http import public
from .negotiation import choose
from .rdf_documents import EXTENSIONS, OFFERED, extension_for, serialize, title
from .resource_view import build_page
from .schema_org import json_ld
from .urls import urls

#: What stays unescaped in a path we redirect to (RFC 3986 pchar and "/").
PATH_SAFE = "/:@!$&'()*+,;=-._~"

bp = Blueprint("linked_data", __name__)
T = TypeVar("T")

KIND_TITLES = {
    "org": "Organisations",
    "person": "People",
    "event": "Events",
    "stance": "Stances on the USSR",
    "position": "Positions on the USSR",
    "source": "Sources (articles)",
    "evidence": "Evidence (quotes)",
    "place": "Places",
    "country": "Countries",
    "periodical": "Periodicals",
    "claim": "Claims (single statements and their evidence)",
}
PAGE_SIZE = 1000
LICENCE = "https://creativecommons.org/licenses/by-sa/4.0/"


def cached(name: str, factory: Callable[[], T]) -> T:
    """A value computed once per dataset version from the store (a remote store may move on)."""
    version = store().version
    held = current_app.extensions.get(name)
    if held is None or held[0] != version:
        held = current_app.extensions[name] = (version, factory())
    return held[1]


def lineage() -> Lineage:
    return cached("tkg_lineage", lambda: Lineage(reader()))


def inverses() -> dict[str, str]:
    def load() -> dict[str, str]:
        pairs = {}
        for row in reader().select("inverses"):
            p, q = value(row, "p"), value(row, "q")
            if p and q:
                pairs[p], pairs[q] = q, p
        return pairs

    return cached("tkg_inverses", load)


def moved(kind: str, slug: str, ext: str | None = None) -> BaseResponse | None:
    """301 to the replacement of a deprecated IRI (or of its document in format ``ext``), if it has one."""
    iri = resource_iri(kind, slug)
    if iri is None:
        return None
    rows = reader().select("replacement", iri=ox.NamedNode(iri), id=ox.Literal(ID))
    new = value(rows.rows[0], "new") if rows.rows else None
    if new is None:
        return None
    new_kind, _, new_slug = new[len(ID) :].partition("/")
    if resource_iri(new_kind, new_slug) is None:
        return None
    target = url_for("linked_data.resource", kind=new_kind, slug=f"{new_slug}.{ext}" if ext else new_slug)
    query = request.query_string.decode()
    response = public(redirect(target + (f"?{query}" if query else ""), code=301))
    _cors(response)
    return response


def _described(kind: str, slug: str) -> Description | Response:
    iri = resource_iri(kind, slug)
    if iri is None:
        return not_found(f"/id/{kind}/{slug} is not in this dataset.", slug.replace("-", " "))
    description = describe(reader(), iri)
    if not description.exists:
        return not_found(f"<{iri}> is not in this dataset.", slug.replace("-", " "))
    return description


@bp.get("/id/<kind>/<slug>")
def resource(kind: str, slug: str) -> BaseResponse:
    """The IRI itself: 303 to the document in the negotiated format."""
    if "." in slug:
        base, ext = slug.rsplit(".", 1)
        if ext == "html" or ext in EXTENSIONS:
            return document(kind, base, ext)
    if (response := moved(kind, slug)) is not None:
        return response
    iri = resource_iri(kind, slug)
    if iri is None or not exists(reader(), iri):
        return not_found(
            f"{f'<{iri}>' if iri else f'/id/{kind}/{slug}'} is not in this dataset.", slug.replace("-", " ")
        )
    media = choose(request.accept_mimetypes, OFFERED, request.args.get("format"))
    if media is None:
        formats = ", ".join(OFFERED)
        return plain(406, f"406 Not Acceptable: this resource is described as {formats}.")
    target = url_for("linked_data.resource", kind=kind, slug=f"{slug}.{extension_for(media)}")
    response = redirect(target, code=303)
    response.vary.add("Accept")
    public(response)
    _cors(response)
    return response


def document(kind: str, slug: str, ext: str) -> BaseResponse:
    """The document describing ``id/{kind}/{slug}`` in one fixed format."""
    if (response := moved(kind, slug, ext)) is not None:
        return response
    described = _described(kind, slug)
    if isinstance(described, Response):
        return described
    etag = hashlib.sha256(f"{store().version}|{kind}/{slug}.{ext}".encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        return _finish(Response(status=304), etag, kind, slug)
    if ext == "html":
        page = build_page(reader(), described, lineage(), inverses())
        html = render_template(
            "resource.html",
            page=page,
            kind_title=KIND_TITLES.get(kind, kind),
            alternates=_alternates(kind, slug),
            json_ld=json_ld(page, described),
            family_tree=_family_tree_url(kind, slug) if page.is_organisation else None,
        )
        response = Response(html, mimetype="text/html")
    else:
        doc = urls().here()
        triples = [*described.triples(), *_document_triples(doc, described.iri)]
        body, content_type = serialize(ext, triples, described.quads())
        response = Response(body, content_type=content_type)
    return _finish(response, etag, kind, slug)


def _finish(response: Response, etag: str, kind: str, slug: str) -> Response:
    public(response, etag)
    links = [f'<{url}>; rel="alternate"; type="{media}"' for url, media, _ in _alternates(kind, slug)]
    links.append(f'<{ID}{kind}/{slug}>; rel="describes"')
    response.headers["Link"] = ", ".join(links)
    _cors(response)
    return response


def _cors(response: BaseResponse) -> None:
    """Linked data is for any client, including scripts on other sites."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Location, Content-Type"


def _alternates(kind: str, slug: str) -> list[tuple[str, str, str]]:
    """(url, media type, title) of each document describing the resource."""
    out = [(url_for("linked_data.resource", kind=kind, slug=f"{slug}.html"), "text/html", title("html"))]
    for ext, fmt in EXTENSIONS.items():
        out.append(
            (url_for("linked_data.resource", kind=kind, slug=f"{slug}.{ext}"), fmt.media_type, fmt.title)
        )
    return out


def _family_tree_url(kind: str, slug: str) -> str | None:
    """The family-tree picture of an organisation, if this app serves one."""
    path = f"/svg/family-tree/{kind}/{slug}"
    adapter = current_app.url_map.bind("localhost")
    return urls().path(path) if adapter.test(path, method="GET") else None


def _document_triples(doc: str, iri: str) -> list[ox.Triple]:
    """The document's own metadata: what it is about and under which licence."""
    d = ox.NamedNode(doc)
    return [
        ox.Triple(d, ox.NamedNode("http://xmlns.com/foaf/0.1/primaryTopic"), ox.NamedNode(iri)),
        ox.Triple(d, ox.NamedNode("http://purl.org/dc/terms/license"), ox.NamedNode(LICENCE)),
    ]


@bp.get("/id/")
def kinds() -> str:
    counts = {kind: 0 for kind in KINDS}
    for row in reader().select("kinds", base=ox.Literal(ID)):
        kind = (value(row, "x") or "")[len(ID) :].split("/", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    return render_template("kinds.html", counts=counts, titles=KIND_TITLES)


@bp.get("/id/<kind>/")
def kind_index(kind: str) -> Response | str:
    """Every resource of one kind, by label, a thousand a page."""
    if kind not in KINDS:
        return not_found(f"There are no resources of kind {kind!r}.", kind)
    prefix = f"{ID}{kind}/"
    items = []
    for row in reader().select("kind-index", prefix=ox.Literal(prefix)):
        iri = value(row, "x") or ""
        text = value(row, "label") or value(row, "quote")
        items.append((text if text is not None else local_name(iri), iri[len(prefix) :]))
    items.sort(key=lambda item: (item[0].casefold(), item[1]))
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        return plain(400, "400 Bad Request: page must be a positive whole number.")
    pages = max(1, -(-len(items) // PAGE_SIZE))
    if number > pages:
        return not_found(f"There are {pages} page(s) of {kind} resources, not {number}.", kind)
    shown = items[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    return render_template(
        "kind_index.html",
        kind=kind,
        title=KIND_TITLES.get(kind, kind),
        items=shown,
        total=len(items),
        number=number,
        pages=pages,
    )


@bp.get("/trotskyism/<path:rest>")
def canonical_prefix(rest: str) -> BaseResponse:
    """A canonical IRI whose ``/trotskyism/`` prefix reached us un-mapped: the same path here."""
    target = "/" + quote(rest, safe=PATH_SAFE)  # re-escaped: no line break or space reaches the header
    if request.query_string:
        target += "?" + quote(request.query_string, safe=PATH_SAFE + "?%")
    return redirect(urls().path(target), code=301)
