"""The lineage model: steps with their events, chains, and the family an organisation's tree draws."""

from __future__ import annotations

import pytest

from tkg.lineage import Lineage, Step, kind_of
from tkg.namespaces import ID, TKG

from .memory import memory_reader

# A -> B by a split (1940), B -> C by a renaming (1950), D + B -> E by a fusion (1960, and a
# second account: a founding), X is unrelated. derivedFrom is asserted: the reasoner is not here.
DATA = f"""
@prefix tkg: <{TKG}> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix o: <{ID}org/> .
@prefix e: <{ID}event/> .
tkg:Split rdfs:subClassOf tkg:LineageEvent ; rdfs:label "Split"@en .
tkg:Renaming rdfs:subClassOf tkg:LineageEvent ; rdfs:label "Renaming"@en .
tkg:Fusion rdfs:subClassOf tkg:LineageEvent ; rdfs:label "Fusion"@en .
tkg:Founding rdfs:subClassOf tkg:LineageEvent ; rdfs:label "Founding"@en .
o:a rdfs:label "A"@en . o:b rdfs:label "B"@en . o:c rdfs:label "C"@en .
o:d rdfs:label "D"@en . o:e rdfs:label "E"@en . o:x rdfs:label "X"@en .
e:split a tkg:Split, tkg:LineageEvent ; rdfs:label "The split"@en ; tkg:date "1940" ;
  org:originalOrganization o:a ; org:resultingOrganization o:b .
e:renaming a tkg:Renaming, tkg:LineageEvent ; rdfs:label "The renaming"@en ; tkg:date "1950" ;
  org:originalOrganization o:b ; org:resultingOrganization o:c .
e:fusion a tkg:Fusion, tkg:Founding, tkg:LineageEvent ; rdfs:label "The fusion"@en ; tkg:date "1960" ;
  org:originalOrganization o:b, o:d ; org:resultingOrganization o:e .
o:b tkg:derivedFrom o:a . o:c tkg:derivedFrom o:b . o:e tkg:derivedFrom o:b, o:d .
"""


def org(name: str) -> str:
    return f"{ID}org/{name}"


@pytest.fixture(scope="module")
def lineage() -> Lineage:
    return Lineage(memory_reader(DATA))


def test_steps_carry_their_event_date_class_and_labels(lineage: Lineage) -> None:
    (step,) = lineage.up[org("b")]
    assert (step.parent, step.event, step.date) == (org("a"), f"{ID}event/split", "1940")
    assert lineage.kind(step) == "Split"
    assert lineage.label(step.event) == "The split" and lineage.label(org("b")) == "B"
    fused = {s.parent: s for s in lineage.up[org("e")]}
    assert set(fused) == {org("b"), org("d")}
    # an event of two lineage classes gets one, the same on every load
    assert lineage.kind(fused[org("b")]) == "Founding"


def test_a_step_without_a_class_is_a_lineage_event() -> None:
    assert kind_of(Step(org("b"), org("a"), f"{ID}event/split", None, None), {}) == "Lineage event"


def test_chains_are_the_shortest_path_oldest_first(lineage: Lineage) -> None:
    chain = lineage.chain(org("c"), org("a"))
    assert [(s.parent, s.child) for s in chain] == [(org("a"), org("b")), (org("b"), org("c"))]
    assert lineage.chain(org("a"), org("c")) == []
    assert lineage.chain(org("x"), org("a")) == []


def test_ancestors_and_descendants(lineage: Lineage) -> None:
    assert lineage.ancestors(org("e")) == {org("a"), org("b"), org("d")}
    assert lineage.descendants(org("a")) == {org("b"), org("c"), org("e")}
    assert lineage.ancestors(org("x")) == lineage.descendants(org("x")) == set()


def test_the_family_of_an_organisation_is_its_ancestry_and_its_descendance(lineage: Lineage) -> None:
    pairs = [(s.parent, s.child) for s in lineage.family(org("b"))]
    # above B: A -> B; below B: B -> C, B -> E; D -> E is E's other parent, not B's family
    assert pairs == [(org("a"), org("b")), (org("b"), org("c")), (org("b"), org("e"))]
    assert [(s.parent, s.child) for s in lineage.family(org("e"))] == [
        (org("a"), org("b")),
        (org("b"), org("e")),
        (org("d"), org("e")),
    ]
    assert lineage.family(org("x")) == []
