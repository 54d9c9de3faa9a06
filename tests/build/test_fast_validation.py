"""The shapes decided in Oxigraph (over an in-memory copy of the build's store) report exactly what pySHACL
reports, each problem with the file it comes from."""

from __future__ import annotations

from rdflib import Graph

from tkg.build import Timings, load_inputs
from tkg.config import Settings
from tkg.namespaces import GRAPH_ASSERTED, GRAPH_ONTOLOGY
from tkg.validate import shacl_problems, store_shacl_problems

BROKEN = """@prefix tkg: <https://w3id.org/trotskyism/ontology#> .
@prefix o: <https://w3id.org/trotskyism/id/org/> .
@prefix person: <https://w3id.org/trotskyism/id/person/> .
@prefix event: <https://w3id.org/trotskyism/id/event/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
o:alpha-league rdfs:label "Another English name"@en ; tkg:founded "1949"^^xsd:gYear ;
    tkg:dissolved "1990"^^xsd:gYear ; tkg:sectionOf o:delta-party ; tkg:founder person:jane-doe .
o:beta-group tkg:claimsContinuityWith o:alpha-league ;
    tkg:publishes <https://w3id.org/trotskyism/id/periodical/p> .
event:1999-dissolution-of-the-beta-group a tkg:Dissolution ; rdfs:label "Dissolution"@en ;
    tkg:date "1999"^^xsd:gYear ; org:originalOrganization o:beta-group ;
    org:resultingOrganization o:beta-group .
event:2001-wrong-date a tkg:Dissolution ; rdfs:label "Misnamed"@en ;
    tkg:date "2000"^^xsd:gYear ; org:originalOrganization o:beta-group .
event:undated-thing a tkg:Split ; rdfs:label "Undated"@en ; tkg:date "1975"^^xsd:gYear .
[] a tkg:Claim ; rdf:subject o:gamma-circle ; rdf:predicate tkg:leader ; rdf:object person:jane-doe .
[] a tkg:Claim ; rdf:subject o:beta-group ; rdf:predicate tkg:publishes .
"""


def both(settings: Settings) -> tuple[list[str], list[str]]:
    """The problems found in the build's store, and by pySHACL over rdflib (also checked: Oxigraph
    over an rdflib copy, as ``shacl_problems`` runs it, finds the same as the store)."""
    inputs, _ = load_inputs(settings, Timings(report=lambda _line: None))
    data = Graph()
    data += inputs.data
    args = (data, inputs.ontology, inputs.shapes, inputs.origins)
    store = store_shacl_problems(inputs.store, GRAPH_ASSERTED, GRAPH_ONTOLOGY, inputs.shapes, inputs.origins)
    fast = [str(p) for p in store]
    assert sorted(fast) == sorted(str(p) for p in shacl_problems(*args, sparql="oxigraph"))
    reference = [str(p) for p in shacl_problems(*args, sparql="pyshacl")]
    return sorted(fast), sorted(reference)


def test_sparql_constraints_in_oxigraph_match_pyshacl_on_broken_data(fixture_settings: Settings) -> None:
    (fixture_settings.data_dir / "broken.ttl").write_text(BROKEN)
    fast, reference = both(fixture_settings)
    assert fast == reference
    text = "\n".join(fast)
    # every SPARQL constraint of the shapes fired, with its message filled in
    for expected in (
        "tkg:founded 1949 has no evidence",
        "tkg:dissolved 1990 has no evidence",
        "tkg:sectionOf https://w3id.org/trotskyism/id/org/delta-party has no evidence",
        "ontology#founder https://w3id.org/trotskyism/id/person/jane-doe has no evidence",
        "https://w3id.org/trotskyism/ontology#claimsContinuityWith",
        "a tkg:Claim must be about a triple that is in the graph",
        "slug starts with its date",
        "is both original and resulting in the same event",
    ):
        assert expected in text, expected
    # a blank claim with no object: a core shape, explained by pySHACL, still names its file
    assert any("[broken.ttl]" in line and line.endswith("->rdf:object") for line in fast)


def test_real_data_passes_both_ways(real_build: Settings) -> None:
    fast, reference = both(real_build)
    assert fast == reference == []
