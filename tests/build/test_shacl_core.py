"""The core shapes decided in Oxigraph (tkg.shacl_core) agree with pySHACL on what conforms."""

from __future__ import annotations

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import Graph

from tests.conftest import FIXTURES
from tkg import shacl_core, shacl_sparql
from tkg.config import ROOT
from tkg.evidence import skolemise
from tkg.shacl_sparql import SH
from tkg.turtle import parse_files, turtle_files

PREFIXES = """@prefix tkg: <https://w3id.org/trotskyism/ontology#> .
@prefix o: <https://w3id.org/trotskyism/id/org/> .
@prefix person: <https://w3id.org/trotskyism/id/person/> .
@prefix event: <https://w3id.org/trotskyism/id/event/> .
@prefix source: <https://w3id.org/trotskyism/id/source/> .
@prefix stance: <https://w3id.org/trotskyism/id/stance/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: One broken statement per core constraint kind the shapes use.
BROKEN = {
    "minCount label": "o:nameless a tkg:Party .",
    "maxCount label": 'o:twice a tkg:Party ; rdfs:label "One"@en , "Two"@en .',
    "languageIn": 'o:german a tkg:Party ; rdfs:label "Partei"@de .',
    "languageIn plain": 'o:plain a tkg:Party ; rdfs:label "Plain" .',
    "nodeKind literal": "o:alt a tkg:Party ; skos:altLabel o:other .",
    "nodeKind IRI": '[] a tkg:Person ; rdfs:label "Anonymous"@en .',
    "pattern slug": '<https://w3id.org/trotskyism/id/org/Upper_Case> a tkg:Party ; rdfs:label "U"@en .',
    "pattern kind": '<https://w3id.org/trotskyism/id/person/not-an-org> a tkg:Party ; rdfs:label "P"@en .',
    "class": 'o:placeless a tkg:Party ; rdfs:label "X"@en ; tkg:country o:not-a-country .',
    "class literal": 'o:literal-country a tkg:Party ; rdfs:label "X"@en ; tkg:country "France" .',
    "or datatype": 'o:when a tkg:Party ; rdfs:label "X"@en ; tkg:founded "1950" .',
    "or datatype ill-typed": 'o:when2 a tkg:Party ; rdfs:label "X"@en ; tkg:founded "1950-13-45"^^xsd:date .',
    "or class": 'stance:s a tkg:Stance ; rdfs:label "S"@en ; tkg:holder source:not-a-holder .',
    "hasValue": "stance:t a tkg:Stance ; tkg:position <https://w3id.org/trotskyism/id/position/none> .",
    "datatype": 'source:s a tkg:Source ; rdfs:label "S"@en ; tkg:file 42 .',
    "minLength": (
        'o:short a tkg:Party ; rdfs:label "S"@en ; '
        'tkg:evidence [ dcterms:source source:x ; oa:exact "short" ] .'
    ),
    "maxCount date": (
        'event:1950-two-dates a tkg:Split ; rdfs:label "E"@en ; '
        'tkg:date "1950"^^xsd:gYear , "1951"^^xsd:gYear .'
    ),
}


def graphs(extra: str = "") -> tuple[Graph, Graph]:
    """Fixture data (plus ``extra``) with the ontology beside it, and the core shapes."""
    data, _ = parse_files(turtle_files(FIXTURES / "data"))
    if extra:
        data.parse(data=PREFIXES + extra, format="turtle")
    skolemise(data)
    ontology, _ = parse_files(turtle_files(ROOT / "ontology"))
    shapes, _ = parse_files(turtle_files(ROOT / "shapes"))
    core, _constraints = shacl_sparql.split(shapes)
    return data + ontology, core


def both(extra: str = "") -> tuple[set[str], set[str]]:
    """The shapes broken according to Oxigraph, and according to pySHACL."""
    graph, core = graphs(extra)
    fast = set(shacl_core.broken(shacl_sparql.load([graph]), core))
    _conforms, report, _text = pyshacl_validate(graph, shacl_graph=core, inference="none", advanced=True)
    assert isinstance(report, Graph)
    reference = set()
    for source in report.objects(None, SH.sourceShape):
        owners = set(core.subjects(SH.property, source))
        reference |= {str(owner) for owner in owners} if owners else {str(source)}
    return fast, reference


def test_valid_data_conforms_both_ways() -> None:
    graph, core = graphs()
    assert shacl_core.conforms(shacl_sparql.load([graph]), core)
    assert both() == (set(), set())


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_broken_constraint_breaks_the_shapes_pyshacl_says(case: str) -> None:
    fast, reference = both(BROKEN[case])
    assert reference  # the case breaks something
    assert fast == reference


def test_a_shape_it_cannot_translate_is_refused() -> None:
    _graph, core = graphs()
    core.parse(
        data=PREFIXES
        + """@prefix sh: <http://www.w3.org/ns/shacl#> .
        [] a sh:NodeShape ; sh:targetClass tkg:Party ; sh:xone ( [ sh:class tkg:Party ] ) .""",
        format="turtle",
    )
    with pytest.raises(shacl_core.Untranslatable):
        shacl_core.checks(core)
