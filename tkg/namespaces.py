"""The namespaces of the public contract (design section 3) and the named graphs."""

from rdflib import Namespace

BASE = "https://w3id.org/trotskyism/"
TKG = Namespace(BASE + "ontology#")
ONTOLOGY_IRI = BASE + "ontology"
ID = BASE + "id/"
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")

#: The kinds of instance IRIs, ``{ID}{kind}/{slug}``.
KINDS = (
    "org",
    "person",
    "event",
    "stance",
    "position",
    "source",
    "evidence",
    "place",
    "country",
    "periodical",
    "claim",
)

GRAPH_ONTOLOGY = BASE + "graph/ontology"
GRAPH_ASSERTED = BASE + "graph/asserted"
GRAPH_INFERRED = BASE + "graph/inferred"
NAMED_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED)

#: Prefixes offered to SPARQL users and used when serialising.
PREFIXES = {
    "tkg": str(TKG),
    "org": str(ORG),
    "oa": str(OA),
    "prov": str(PROV),
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    # Instance kinds by name, except organisations: `org:` is the W3C vocabulary, so they are `o:`
    # as in data/ttl.
    **{("o" if kind == "org" else kind): f"{ID}{kind}/" for kind in KINDS},
}
