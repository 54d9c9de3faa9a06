"""Naming blank-node evidence and claims: per file as the build parses, or on a whole graph, the same."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, RDFS, BNode, URIRef

from tkg.evidence import claim_iri, evidence_iri, label, name_blank_nodes, skolemise
from tkg.namespaces import OA, TKG
from tkg.turtle import parse_files

HEAD = """@prefix tkg: <https://w3id.org/trotskyism/ontology#> .
@prefix o: <https://w3id.org/trotskyism/id/org/> .
@prefix source: <https://w3id.org/trotskyism/id/source/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
source:a dcterms:title "Article A" .
"""
ORG = "https://w3id.org/trotskyism/id/org/"
SOURCE = "https://w3id.org/trotskyism/id/source/a"


def _files(tmp_path: Path) -> list[Path]:
    one = (
        HEAD
        + """o:x rdfs:label "X"@en ; tkg:sectionOf o:y ;
    tkg:evidence [ dcterms:source source:a ; oa:exact "The X joined the Y." ] .
o:y rdfs:label "Y"@en .
[] a tkg:Claim ; rdf:subject o:x ; rdf:predicate tkg:sectionOf ; rdf:object o:y ;
   tkg:evidence [ dcterms:source source:a ; oa:exact "The X joined the Y." ] .
[] a tkg:Claim ; rdf:subject o:x ; rdf:predicate tkg:sectionOf ; rdf:object o:y, o:z .
"""
    )
    two = (
        HEAD
        + """o:z tkg:evidence [ dcterms:source source:a ; oa:exact "The X   joined the Y." ] .
o:w tkg:evidence [ oa:exact "no source" ] .
"""
    )
    paths = [tmp_path / "one.ttl", tmp_path / "two.ttl"]
    for path, text in zip(paths, (one, two), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def test_the_same_quote_is_one_evidence_and_a_claim_is_named_from_its_triple(tmp_path: Path) -> None:
    graph, _ = parse_files(_files(tmp_path), lambda t: name_blank_nodes(t)[0])
    label(graph)
    evidence = evidence_iri(SOURCE, "The X joined the Y.")
    claim = claim_iri(URIRef(ORG + "x"), TKG.sectionOf, URIRef(ORG + "y"))
    assert set(graph.subjects(TKG.evidence, evidence)) == {URIRef(ORG + "x"), URIRef(ORG + "z"), claim}
    assert (evidence, RDF.type, TKG.Evidence) in graph
    assert str(graph.value(evidence, RDFS.label)).startswith("Article A: ")
    assert (claim, RDF.subject, URIRef(ORG + "x")) in graph
    assert str(graph.value(claim, RDFS.label)) == "X section of Y"
    # Left blank for SHACL to report: a claim of two objects, evidence without a source.
    assert [n for n in graph.subjects(RDF.type, TKG.Claim) if isinstance(n, BNode)]
    assert isinstance(graph.value(URIRef(ORG + "w"), TKG.evidence), BNode)
    assert graph.value(graph.value(URIRef(ORG + "w"), TKG.evidence), OA.exact) is not None


def test_naming_each_file_equals_naming_the_whole_graph(tmp_path: Path) -> None:
    per_file, _ = parse_files(_files(tmp_path), lambda t: name_blank_nodes(t)[0])
    label(per_file)
    whole, _ = parse_files(_files(tmp_path))
    assert skolemise(whole) == 3  # three blank nodes with a source and a quote
    named = {t for t in whole if not any(isinstance(x, BNode) for x in t)}
    assert named == {t for t in per_file if not any(isinstance(x, BNode) for x in t)}
    assert len(whole) == len(per_file)
