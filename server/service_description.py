"""The SPARQL Service Description (sd:) for a GET on /sparql without a query."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from tkg import formats
from tkg.namespaces import GRAPH_INFERRED, NAMED_GRAPHS
from tkg.storage import Manifest

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENT = Namespace("http://www.w3.org/ns/entailment/")
PROF = Namespace("http://www.w3.org/ns/owl-profile/")


def describe(endpoint: str, manifest: Manifest, federated: bool = False) -> Graph:
    """What the endpoint is, truthfully: query only, the formats, the dataset, the entailment."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("ent", ENT)
    g.bind("prof", PROF)
    g.bind("void", VOID)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if federated:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    # Queries are answered under simple entailment over a graph that already
    # contains the OWL 2 RL closure, materialised at build time.
    g.add((service, SD.defaultEntailmentRegime, ENT.Simple))
    for fmt in formats.endpoint_formats():
        if fmt.w3c_iri:
            g.add((service, SD.resultFormat, URIRef(fmt.w3c_iri)))
    g.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only: SPARQL Update is refused. The default graph is the union of the named graphs. "
                "SERVICE is refused unless its host is on the server's allow-list. "
                "Queries have a time budget and results a row and size cap.",
                lang="en",
            ),
        )
    )
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, DCTERMS.hasVersion, Literal(manifest.version)))
    g.add((dataset, DCTERMS.modified, Literal(manifest.built, datatype=XSD.dateTime)))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(manifest.triples)))
    for iri in NAMED_GRAPHS:
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(manifest.graphs.get(iri, 0))))
        if iri == GRAPH_INFERRED:
            g.add((named, SD.entailmentRegime, ENT["OWL-RDF-Based"]))
            g.add((named, SD.supportedEntailmentProfile, PROF.RL))
            g.add(
                (
                    named,
                    RDFS.comment,
                    Literal(
                        "What an OWL 2 RL reasoner (owlrl) adds to the ontology and the asserted data, "
                        "materialised at build time.",
                        lang="en",
                    ),
                )
            )
    return g
