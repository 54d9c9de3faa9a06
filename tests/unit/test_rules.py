"""The instance chainer (tkg.rules) against owlrl, rule by rule, on graphs of a few triples.

Each case is a small ontology that makes one kind of rule fire (alone and mixed with the others),
so a change to the chainer that loses or invents a conclusion fails here in milliseconds, with
the rule named, before the real and generated graphs of tests/build/test_fast_reasoner.py.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from tkg.graphview import StoredTriples
from tkg.reasoner import infer, infer_into
from tkg.storage import load

PREFIXES = """
@prefix : <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: (name, ontology, data): each makes one family of rules fire.
CASES = [
    (
        "class hierarchy, three deep, with an equivalent class",
        """:A rdfs:subClassOf :B . :B rdfs:subClassOf :C . :C rdfs:subClassOf :D .
           :B owl:equivalentClass :B2 . :B2 rdfs:subClassOf :E .""",
        """:x a :A . :y a :B2 . :z a :C .""",
    ),
    (
        "property hierarchy, equivalent properties, domains and ranges",
        """:p rdfs:subPropertyOf :q . :q rdfs:subPropertyOf :r . :r owl:equivalentProperty :r2 .
           :q rdfs:domain :Thing1 . :r rdfs:range :Thing2 . :Thing1 rdfs:subClassOf :Top .
           :name rdfs:domain :Named .""",
        """:a :p :b . :c :r2 :d . :a :name "A" . :e :name "E"@en .""",
    ),
    (
        "inverse, symmetric and transitive properties",
        """:parentOf owl:inverseOf :childOf . :knows a owl:SymmetricProperty .
           :ancestorOf a owl:TransitiveProperty . :parentOf rdfs:subPropertyOf :ancestorOf .
           :descendsFrom owl:inverseOf :ancestorOf .""",
        """:a :parentOf :b . :b :parentOf :c . :c :parentOf :d . :b :childOf :a2 .
           :x :knows :y . :y :knows :z .""",
    ),
    (
        "property chains, two and three links, through a self-loop",
        """:derivedFrom owl:propertyChainAxiom ( :resultOf :step :input ) .
           :uncle owl:propertyChainAxiom ( :parent :brother ) .
           :Event rdfs:subClassOf [ owl:onProperty :step ; owl:hasSelf true ] .
           :Split rdfs:subClassOf :Event .""",
        """:new :resultOf :e . :e a :Split . :e :input :old . :e :input :older .
           :k :parent :m . :m :brother :n . :m :brother :o .""",
    ),
    (
        "has-value restrictions both ways",
        """:Trotskyist owl:equivalentClass [ owl:onProperty :tendency ; owl:hasValue :trotskyism ] .
           :Trotskyist rdfs:subClassOf :Left .""",
        """:a :tendency :trotskyism . :b a :Trotskyist . :c :tendency :other .""",
    ),
]


def graph(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


@pytest.mark.parametrize(("name", "ontology", "data"), CASES, ids=[case[0] for case in CASES])
def test_the_chainer_draws_owlrls_conclusions(name: str, ontology: str, data: str) -> None:
    schema, instances = graph(ontology), graph(data)
    reference = infer(schema, instances, "owlrl")
    assert reference, f"{name}: owlrl concludes something, or the case tests nothing"
    fast = infer(schema, instances, "fast")
    assert fast == reference, (sorted(fast - reference), sorted(reference - fast))


def test_every_case_at_once_and_read_from_a_store_gives_owlrls_conclusions() -> None:
    """All the cases in one graph, the instances read from a store as the build reads them, and
    the conclusions written into one: what the build stores is owlrl's closure."""
    schema, instances = Graph(), Graph()
    for _name, ontology, data in CASES:
        schema += graph(ontology)
        instances += graph(data)
    reference = infer(schema, instances, "owlrl")
    store = ox.Store()
    load(store, "urn:test:asserted", instances)
    stored = StoredTriples(store, "urn:test:asserted")
    written = infer_into(store, "urn:test:inferred", schema, stored)
    assert written == len(reference)
    assert set(StoredTriples(store, "urn:test:inferred")) == reference
