"""Reconciliation scoring on a small graph: names, properties, the match rule, data extension."""

from __future__ import annotations

import pytest

from tkg import reconcile as rc
from tkg.namespaces import ID, TKG
from tkg.search import SearchIndex

from .memory import memory_reader

DATA = f"""
@prefix tkg: <{TKG}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix o: <{ID}org/> .
@prefix c: <{ID}country/> .
o:swp-gb a tkg:Party, tkg:Organisation ; rdfs:label "Socialist Workers Party (Britain)"@en ;
  skos:altLabel "Socialist Workers Party" ; tkg:country c:gb ; tkg:founded "1977"^^xsd:gYear .
o:swp-us a tkg:Party, tkg:Organisation ; rdfs:label "Socialist Workers Party (United States)"@en ;
  skos:altLabel "Socialist Workers Party" ; tkg:country c:us ; tkg:founded "1938-01-01"^^xsd:date ;
  tkg:sectionOf o:fi .
o:fi a tkg:International, tkg:Organisation ; rdfs:label "Fourth International"@en ; skos:altLabel "FI" .
o:lo a tkg:Party, tkg:Organisation ; rdfs:label "Workers' Struggle (France)"@en ;
  skos:altLabel "Lutte Ouvrière"@fr .
c:gb rdfs:label "Britain"@en .
c:us rdfs:label "United States"@en ; skos:altLabel "USA" .
"""


@pytest.fixture(scope="module")
def reconciler() -> rc.Reconciler:
    reader = memory_reader(DATA)
    return rc.Reconciler(SearchIndex(reader), reader)


def query(text: str, *props: tuple[str, object], kind: str | None = None) -> rc.Query:
    types = frozenset({str(TKG) + kind}) if kind else None
    return rc.Query(text, types, 10, tuple((rc.property_for(p), (v,)) for p, v in props))


def ids(candidates: list[rc.Candidate]) -> list[str]:
    return [rc.entity_id(c.iri) for c in candidates]


def test_a_single_exact_name_is_the_match(reconciler: rc.Reconciler) -> None:
    found = reconciler.reconcile(query("lutte ouvriere"))
    assert ids(found)[:1] == ["org/lo"] and found[0].match and found[0].score == 100


def test_namesakes_are_not_a_match_until_told_apart_and_never_by_an_exact_name_alone(reconciler) -> None:
    both = reconciler.reconcile(query("Socialist Workers Party"))
    assert {c.score for c in both[:2]} == {100} and not any(c.match for c in both)
    us = reconciler.reconcile(query("Socialist Workers Party", ("country", "USA")))
    assert ids(us)[0] == "org/swp-us" and us[0].score == 100 and us[1].score < 100
    by_year = reconciler.reconcile(query("Socialist Workers Party", ("year", 1977)))
    assert ids(by_year)[0] == "org/swp-gb"
    near_year = reconciler.reconcile(query("Socialist Workers Party", ("founded", "1939")))
    assert ids(near_year)[0] == "org/swp-us" and 85 < near_year[0].score < 100
    by_international = reconciler.reconcile(
        query("Socialist Workers Party", ("international", {"id": "org/fi"}))
    )
    assert ids(by_international)[0] == "org/swp-us"
    assert dict(by_international[0].features)["sectionOf"] is True


def test_the_type_filter(reconciler: rc.Reconciler) -> None:
    assert ids(reconciler.reconcile(query("fourth", kind="International"))) == ["org/fi"]
    assert reconciler.reconcile(query("fourth", kind="Party")) == []


def test_data_extension_gives_resources_and_literals(reconciler: rc.Reconciler) -> None:
    props = [rc.property_for(p) for p in ("founded", "country", "sectionOf")]
    rows = reconciler.extend([ID + "org/swp-us", ID + "org/nothing"], props)
    assert rows[ID + "org/swp-us"] == {
        "founded": [{"str": "1938-01-01"}],
        "country": [{"id": "country/us", "name": "United States"}],
        "sectionOf": [{"id": "org/fi", "name": "Fourth International"}],
    }
    assert rows[ID + "org/nothing"] == {"founded": [], "country": [], "sectionOf": []}


def test_unknown_properties_are_refused_with_the_known_ones() -> None:
    with pytest.raises(rc.BadQuery, match="founded"):
        rc.property_for("colour")
    assert rc.property_for(str(TKG) + "country").id == "country"
