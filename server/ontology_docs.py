"""``/ontology``: the ontology as HTML documentation and as RDF, generated from its named graph.

Like the ``/id/`` IRIs, ``/ontology`` names the ontology and answers 303 to a
document: ``/ontology.html`` for browsers (each term an anchor, so
``…/ontology#Split`` lands on its entry, the fragment surviving the redirect)
and ``/ontology.ttl`` (``.jsonld``, ``.nt``, ``.rdf``) for RDF clients. The
documentation is generated from the store's ontology graph, not written by
hand: every class and property with its label, definition, domain, range,
super- and sub-terms, inverse and characteristics.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tkg.describe import local_name
from tkg.namespaces import DCTERMS, GRAPH_ONTOLOGY, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS, TKG

from .context import reader, store
from .errors import not_found, plain
from .http import public
from .linked_data import cached
from .negotiation import choose
from .rdf_documents import EXTENSIONS, OFFERED, extension_for, serialize
from .urls import href

bp = Blueprint("ontology", __name__)

PROPERTY_TYPES = {
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "AnnotationProperty": "annotation property",
    RDF + "Property": "property",
}
CHARACTERISTICS = {
    OWL + "TransitiveProperty": "transitive",
    OWL + "SymmetricProperty": "symmetric",
    OWL + "FunctionalProperty": "functional",
    OWL + "InverseFunctionalProperty": "inverse functional",
    OWL + "AsymmetricProperty": "asymmetric",
    OWL + "IrreflexiveProperty": "irreflexive",
}
#: Well-known prefixes, to name terms of other vocabularies readably.
NAMESPACES = {
    str(TKG): "tkg:",
    "http://www.w3.org/ns/org#": "org:",
    "http://xmlns.com/foaf/0.1/": "foaf:",
    "http://www.w3.org/ns/oa#": "oa:",
    "http://www.w3.org/ns/prov#": "prov:",
    SKOS: "skos:",
    OWL: "owl:",
    RDFS: "rdfs:",
    RDF: "rdf:",
    DCTERMS: "dcterms:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
}


@dataclass
class Term:
    iri: str
    name: str
    label: str = ""
    definition: str = ""
    kinds: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    supers: list[str] = field(default_factory=list)
    subs: list[str] = field(default_factory=list)
    inverse: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    deprecated: bool = False
    replaced_by: list[str] = field(default_factory=list)


@dataclass
class Documentation:
    metadata: dict[str, list[str]]
    classes: list[Term]
    properties: list[Term]
    schemes: list[Term]
    labels: dict[str, str]
    triples: list[ox.Triple]


def curie(iri: str) -> str:
    for ns, prefix in NAMESPACES.items():
        if iri.startswith(ns):
            return prefix + iri[len(ns) :]
    return iri


def documentation() -> Documentation:
    return cached("tkg_ontology_docs", lambda: _build())


def _build() -> Documentation:
    rows = reader().select("graph", graph=ox.NamedNode(GRAPH_ONTOLOGY))
    triples = [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[arg-type]
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        out[str(t.subject)][t.predicate.value].append(t.object)

    def iris(node: str, predicate: str) -> list[str]:
        return sorted(o.value for o in out[node][predicate] if isinstance(o, ox.NamedNode))

    def text(node: str, *predicates: str) -> str:
        for p in predicates:
            values = [o for o in out[node][p] if isinstance(o, ox.Literal)]
            if values:
                return sorted(values, key=lambda v: v.language != "en")[0].value
        return ""

    def listed(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> list[str]:
        items = []
        while isinstance(node, ox.BlankNode | ox.NamedNode) and str(node) != f"<{RDF}nil>":
            first = out[str(node)][RDF + "first"]
            if not first:
                break
            if isinstance(first[0], ox.NamedNode | ox.BlankNode | ox.Literal):
                items.append(first[0].value)
            node = out[str(node)][RDF + "rest"][0]
        return items

    labels = {
        t.subject.value: t.object.value
        for t in triples
        if t.predicate.value == RDFS + "label"
        and isinstance(t.subject, ox.NamedNode | ox.BlankNode)
        and isinstance(t.object, ox.Literal)
    }
    terms: dict[str, Term] = {}
    for key in out:
        if not key.startswith(f"<{TKG}"):
            continue
        iri = key[1:-1]
        types = iris(key, RDF + "type")
        term = Term(
            iri,
            iri[len(str(TKG)) :],
            text(key, RDFS + "label"),
            text(key, SKOS + "definition", RDFS + "comment"),
        )
        term.kinds = [PROPERTY_TYPES.get(t) or CHARACTERISTICS.get(t) or curie(t) for t in types]
        term.domain, term.range = iris(key, RDFS + "domain"), iris(key, RDFS + "range")
        term.supers = iris(key, RDFS + "subClassOf") + iris(key, RDFS + "subPropertyOf")
        term.inverse = iris(key, OWL + "inverseOf")
        chains = out[key][OWL + "propertyChainAxiom"]
        term.chain = listed(chains[0]) if chains else []
        term.deprecated = any(o.value == "true" for o in out[key][OWL + "deprecated"])
        term.replaced_by = iris(key, DCTERMS + "isReplacedBy")
        terms[iri] = term
    for term in terms.values():
        for parent in term.supers:
            if parent in terms:
                terms[parent].subs.append(term.iri)
        for other in term.inverse:
            if other in terms and term.iri not in terms[other].inverse:
                terms[other].inverse.append(term.iri)
    ordered = sorted(terms.values(), key=lambda t: t.name.casefold())
    return Documentation(
        metadata={
            "title": [text(f"<{ONTOLOGY_IRI}>", DCTERMS + "title")],
            "description": [text(f"<{ONTOLOGY_IRI}>", DCTERMS + "description")],
            "version": [text(f"<{ONTOLOGY_IRI}>", OWL + "versionInfo")],
            "versionIRI": iris(f"<{ONTOLOGY_IRI}>", OWL + "versionIRI"),
            "license": iris(f"<{ONTOLOGY_IRI}>", DCTERMS + "license"),
            "created": [text(f"<{ONTOLOGY_IRI}>", DCTERMS + "created")],
        },
        classes=[t for t in ordered if "owl:Class" in t.kinds],
        properties=[t for t in ordered if any(k in t.kinds for k in PROPERTY_TYPES.values())],
        schemes=[t for t in ordered if "skos:ConceptScheme" in t.kinds],
        labels=labels,
        triples=triples,
    )


@bp.get("/ontology")
def ontology() -> BaseResponse:
    media = choose(request.accept_mimetypes, OFFERED, request.args.get("format"))
    if media is None:
        return plain(406, f"406 Not Acceptable: the ontology is described as {', '.join(OFFERED)}.")
    response = redirect(url_for("ontology.document", ext=extension_for(media)), code=303)
    response.vary.add("Accept")
    return response


@bp.get("/ontology.<ext>")
def document(ext: str) -> Response:
    if ext != "html" and ext not in EXTENSIONS:
        return not_found(
            f"The ontology is available as .html, .{', .'.join(EXTENSIONS)}, not .{ext}.", "ontology"
        )
    docs = documentation()
    if ext == "html":
        alternates = [
            (url_for("ontology.document", ext=e), f.media_type, f.title) for e, f in EXTENSIONS.items()
        ]
        response = Response(
            render_template(
                "ontology.html", docs=docs, curie=curie, href=href, alternates=alternates, tkg=str(TKG)
            ),
            mimetype="text/html",
        )
    else:
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPH_ONTOLOGY)) for t in docs.triples
        ]
        body, content_type = serialize(ext, docs.triples, quads)
        response = Response(body, content_type=content_type)
    public(response, f"{store().version}-ontology-{ext}")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def label_of(docs: Documentation, iri: str) -> str:
    return docs.labels.get(iri) or local_name(iri)
