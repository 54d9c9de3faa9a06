"""The namespaces of the public contract (design section 3) and the named graphs.

``TKG_BASE_IRI`` (default :data:`CANONICAL`) is the namespace this deployment mints
and answers for: its instances (``{BASE}id/...``), its named graphs
(``{BASE}graph/...``) and its VoID dataset move with it. The ontology
(``https://w3id.org/trotskyism/ontology#``) does not: it is the shared vocabulary
of the public contract, which a mirror or a fork keeps using.

The base is read from the environment once, at import, because many modules'
``from .namespaces import ID`` bind it as a constant: the build, ``tkg serve``
and its workers all run with the variable set, so every module of a process
agrees on it (a test that needs another base runs a subprocess).
:class:`tkg.config.Settings` reads the same variable (``base_iri``), and the
build and the app refuse a ``Settings`` whose base is not this one.
"""

import os
import re

from rdflib import Namespace

#: The base the inputs (``data/ttl``, ``queries/*.rq``) are written in, and the ontology's home.
CANONICAL = "https://w3id.org/trotskyism/"


def base_from_environment() -> str:
    """``TKG_BASE_IRI``, with a trailing ``/`` (every IRI is minted as ``{base}id/...``)."""
    value = os.environ.get("TKG_BASE_IRI", "").strip() or CANONICAL
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|^`\\]+$", value):
        raise ValueError(f"TKG_BASE_IRI={value!r} is not an absolute IRI ending in a path")
    return value if value.endswith("/") else value + "/"


BASE = base_from_environment()
TKG = Namespace(CANONICAL + "ontology#")
ONTOLOGY_IRI = CANONICAL + "ontology"
ID = BASE + "id/"
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")

#: The namespaces of the store's own resources: this deployment's and the shared vocabulary's.
OURS = tuple(dict.fromkeys((BASE, CANONICAL)))

#: What moves with the base: the canonical prefixes and the deployment's, in the same order.
_MOVED = (CANONICAL + "id/", CANONICAL + "graph/")


def rebase(iri: str) -> str:
    """An IRI written under the canonical base (``…/id/``, ``…/graph/``) as this deployment's.

    >>> rebase("http://www.w3.org/ns/org#Organization")
    'http://www.w3.org/ns/org#Organization'
    """
    iri = str(iri)  # rdflib's URIRef.startswith does not take a tuple
    if BASE != CANONICAL and iri.startswith(_MOVED):
        return BASE + iri[len(CANONICAL) :]
    return iri


def canonical(iri: str) -> str:
    """The inverse of :func:`rebase`: what hashes of minted IRIs are computed from, so that a
    deployment's evidence and claim IRIs are the canonical ones with its base.

    >>> canonical(ID + "org/crfi") == CANONICAL + "id/org/crfi"
    True
    """
    iri = str(iri)
    if BASE != CANONICAL and iri.startswith((BASE + "id/", BASE + "graph/")):
        return CANONICAL + iri[len(BASE) :]
    return iri


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

# The W3C vocabularies the app names, as plain IRI strings: for pyoxigraph terms and query text (code
# that builds rdflib graphs uses rdflib.namespace's). One place, not a copy in each module.
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = RDFS + "label"

#: Prefixes offered to SPARQL users and used when serialising.
PREFIXES = {
    "tkg": str(TKG),
    "org": str(ORG),
    "oa": str(OA),
    "prov": str(PROV),
    "dcterms": DCTERMS,
    "skos": SKOS,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    # Instance kinds by name, except organisations: `org:` is the W3C vocabulary, so they are `o:`
    # as in data/ttl.
    **{("o" if kind == "org" else kind): f"{ID}{kind}/" for kind in KINDS},
}


def prologue(prefixes: dict[str, str] | None = None) -> str:
    """``PREFIX`` lines declaring ``prefixes`` (default: all of :data:`PREFIXES`), for an engine that is
    not told them another way (a remote store; pyoxigraph takes ``prefixes=``).

    >>> prologue({"ex": "http://example.org/"})
    'PREFIX ex: <http://example.org/>\\n'
    """
    return "".join(
        f"PREFIX {p}: <{iri}>\n" for p, iri in (PREFIXES if prefixes is None else prefixes).items()
    )
