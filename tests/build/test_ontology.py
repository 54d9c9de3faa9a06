"""The ontology: the contract's terms exist, are documented, and load in a second OWL tool."""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from tkg.config import ROOT
from tkg.namespaces import TKG
from tkg.turtle import parse_files, turtle_files

CONTRACT_CLASSES = [
    "Organisation",
    "International",
    "Party",
    "Faction",
    "Tendency",
    "Group",
    "YouthOrganisation",
    "Periodical",
    "Person",
    "Source",
    "Evidence",
    "Event",
    "Founding",
    "Split",
    "Fusion",
    "Renaming",
    "Expulsion",
    "Dissolution",
    "Affiliation",
    "Disaffiliation",
    "Entry",
    "Stance",
]
CONTRACT_PROPERTIES = [
    "date",
    "place",
    "participant",
    "founded",
    "dissolved",
    "derivedFrom",
    "descendsFrom",
    "hasDerivative",
    "ancestorOf",
    "sectionOf",
    "country",
    "leader",
    "founder",
    "publishes",
    "holder",
    "position",
    "from",
    "until",
    "heldPosition",
    "evidence",
]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph, _ = parse_files(turtle_files(ROOT / "ontology"))
    return graph


def test_every_contract_term_exists(ontology: Graph) -> None:
    for name in CONTRACT_CLASSES:
        assert (TKG[name], RDF.type, OWL.Class) in ontology, name
    for name in CONTRACT_PROPERTIES:
        types = set(ontology.objects(TKG[name], RDF.type))
        assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, name
    assert (TKG.USSRPositions, RDF.type, SKOS.ConceptScheme) in ontology


def test_contract_axioms(ontology: Graph) -> None:
    org = "http://www.w3.org/ns/org#"
    assert (TKG.Organisation, RDFS.subClassOf, URIRef(org + "FormalOrganization")) in ontology
    assert (TKG.Event, RDFS.subClassOf, URIRef(org + "ChangeEvent")) in ontology
    assert (TKG.Person, RDFS.subClassOf, URIRef("http://xmlns.com/foaf/0.1/Person")) in ontology
    assert (TKG.Evidence, RDFS.subClassOf, URIRef("http://www.w3.org/ns/oa#TextQuoteSelector")) in ontology
    assert (TKG.descendsFrom, RDF.type, OWL.TransitiveProperty) in ontology
    assert (TKG.derivedFrom, RDFS.subPropertyOf, TKG.descendsFrom) in ontology
    assert (TKG.hasDerivative, OWL.inverseOf, TKG.derivedFrom) in ontology
    assert (TKG.ancestorOf, OWL.inverseOf, TKG.descendsFrom) in ontology
    assert (TKG.sectionOf, RDFS.subPropertyOf, URIRef(org + "subOrganizationOf")) in ontology
    assert ontology.value(TKG.derivedFrom, OWL.propertyChainAxiom) is not None
    assert ontology.value(TKG.heldPosition, OWL.propertyChainAxiom) is not None


def test_every_term_has_label_and_definition(ontology: Graph) -> None:
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(TKG))}
    assert len(terms) > 50
    for term in terms:
        labels = [o for o in ontology.objects(term, RDFS.label) if o.language == "en"]
        assert len(labels) == 1, term
        assert ontology.value(term, SKOS.definition) is not None, term


def test_required_positions_are_in_the_scheme(ontology: Graph) -> None:
    concepts = {str(c).rsplit("/", 1)[-1] for c in ontology.subjects(SKOS.inScheme, TKG.USSRPositions)}
    assert {
        "degenerated-workers-state",
        "deformed-workers-states",
        "state-capitalism",
        "bureaucratic-collectivism",
        "neither-workers-state-nor-capitalist",
        "reform-of-party-and-state",
        "political-revolution",
    } <= concepts


def test_ontology_metadata(ontology: Graph) -> None:
    iri = URIRef("https://w3id.org/trotskyism/ontology")
    assert (iri, RDF.type, OWL.Ontology) in ontology
    for prop in ("title", "license"):
        assert ontology.value(iri, URIRef("http://purl.org/dc/terms/" + prop)) is not None
    assert ontology.value(iri, OWL.versionInfo) is not None


def test_ontology_loads_in_owlready2(ontology: Graph, tmp_path: Path) -> None:
    path = tmp_path / "tkg.owl"
    ontology.serialize(path, format="xml")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    names = {c.name for c in onto.classes()}
    assert {"Organisation", "Split", "Stance", "LineageEvent"} <= names
    descends = world.search_one(iri=str(TKG.descendsFrom))
    assert owlready2.TransitiveProperty in descends.is_a
    derived = world.search_one(iri=str(TKG.derivedFrom))
    assert derived.property_chain, "property chain lost"
