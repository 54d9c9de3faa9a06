"""``/void`` and ``/.well-known/void``: the VoID description of the dataset.

What a crawler or a dataset catalogue needs: the triple count of the whole and
of each named graph, the class and property partitions, the URI space, the
SPARQL endpoint, the dumps, licence, version and modification date. The counts
come from ``statistics.json``, written by the build; the endpoint and dump URLs
are this server's own, whatever host it runs on.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, VOID, XSD

from tkg import formats, statistics
from tkg.dumps import read_index
from tkg.namespaces import BASE, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, ONTOLOGY_IRI

from .context import store
from .dumps import directory
from .errors import plain
from .http import public
from .linked_data import LICENCE, cached
from .negotiation import choose, rdf_or_page
from .urls import urls

bp = Blueprint("void", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET = URIRef(BASE + "void#dataset")
#: The formats of the description (rdflib writes it), from the registry.
FORMATS = formats.rdflib_names()
OFFERED = rdf_or_page(list(FORMATS))
GRAPH_TITLES = {
    GRAPH_ONTOLOGY: "The ontology",
    GRAPH_ASSERTED: "The curated claims, with evidence",
    GRAPH_INFERRED: "What the OWL 2 RL reasoner inferred",
}


def stats() -> statistics.Statistics:
    """The build's statistics, or counts from the store for a store built without them."""

    def load() -> statistics.Statistics:
        found = statistics.read(directory())
        if found is None:
            manifest = store().manifest
            found = statistics.Statistics(manifest.triples, 0, 0, 0, dict(manifest.graphs))
        return found

    return cached("tkg_statistics", load)


def describe() -> Graph:
    s = stats()
    manifest = store().manifest
    links = urls()
    g = Graph()
    for prefix, ns in (("void", VOID), ("dcterms", DCTERMS), ("foaf", FOAF), ("sd", SD)):
        g.bind(prefix, ns)
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, DCTERMS.title, Literal("The Trotskyist movement knowledge graph", lang="en")))
    g.add(
        (
            d,
            DCTERMS.description,
            Literal(
                "Organisations of the Trotskyist movement, the events that made and unmade them, the people "
                "who led them and their positions on the USSR, each claim with a verbatim quote from one of "
                "five history articles; lineage inferred by an OWL 2 RL reasoner.",
                lang="en",
            ),
        )
    )
    g.add((d, DCTERMS.license, URIRef(LICENCE)))
    g.add((d, DCTERMS.hasVersion, Literal(manifest.version)))
    g.add((d, DCTERMS.modified, Literal(manifest.built, datatype=XSD.dateTime)))
    g.add((d, FOAF.homepage, URIRef(links.for_endpoint("home.index", external=True))))
    g.add((d, VOID.sparqlEndpoint, URIRef(links.for_endpoint("sparql.endpoint", external=True))))
    g.add((d, VOID.uriSpace, Literal(ID)))
    g.add(
        (
            d,
            VOID.uriLookupEndpoint,
            URIRef(links.for_endpoint("search.search", external=True) + "?format=json&q="),
        )
    )
    g.add((d, VOID.openSearchDescription, URIRef(links.for_endpoint("search.search", external=True))))
    g.add((d, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    for vocabulary in (
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/ns/oa#",
        "http://www.w3.org/2004/02/skos/core#",
    ):
        g.add((d, VOID.vocabulary, URIRef(vocabulary)))
    for example in ("org/fourth-international", "org/international-left-opposition"):
        g.add((d, VOID.exampleResource, URIRef(ID + example)))
    g.add((d, VOID.rootResource, URIRef(ID + "org/fourth-international")))
    for dump in read_index(directory()):
        g.add((d, VOID.dataDump, URIRef(links.for_endpoint("dumps.download", external=True, name=dump.name))))
    for fmt in formats.rdf_documents():  # every IRI dereferences in these
        if fmt.w3c_iri:
            g.add((d, VOID.feature, URIRef(fmt.w3c_iri)))
    g.add((d, VOID.triples, Literal(s.triples)))
    if s.entities:
        g.add((d, VOID.entities, Literal(s.entities)))
        g.add((d, VOID.distinctSubjects, Literal(s.distinct_subjects)))
        g.add((d, VOID.distinctObjects, Literal(s.distinct_objects)))
        g.add((d, VOID.classes, Literal(len(s.classes))))
        g.add((d, VOID.properties, Literal(len(s.properties))))
    for iri, count in s.graphs.items():
        subset = URIRef(iri)
        g.add((d, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, URIRef(iri)))
        g.add((subset, DCTERMS.title, Literal(GRAPH_TITLES.get(iri, iri), lang="en")))
        g.add((subset, VOID.triples, Literal(count)))
    for cls, count in s.classes.items():
        part = BNode()
        g.add((d, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count)))
    for prop, count in s.properties.items():
        part = BNode()
        g.add((d, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(count)))
    return g


@bp.get("/.well-known/void", endpoint="well_known")
@bp.get("/void")
def void() -> Response:
    media = choose(request.accept_mimetypes, OFFERED, request.args.get("format"))
    if media is None:
        return plain(406, f"406 Not Acceptable: the VoID description is available as {', '.join(OFFERED)}.")
    if media == "text/html":
        body = render_template(
            "void.html", stats=stats(), manifest=store().manifest, dumps=_dumps(), titles=GRAPH_TITLES
        )
        response = Response(body, mimetype="text/html")
    else:
        response = Response(
            # the URLs in it are this host's, so the cache is per host
            cached(f"tkg_void|{urls().base}|{media}", lambda: describe().serialize(format=FORMATS[media])),
            content_type=f"{media}; charset=utf-8",
        )
    response.vary.add("Accept")
    public(response, f"{store().version}-void-{FORMATS.get(media, 'html')}")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _dumps():
    return read_index(directory())
