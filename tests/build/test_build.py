"""The build end to end with real components: rdflib, pySHACL, owlrl, pyoxigraph."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tkg.build import ValidationFailed, build, check, dataset_version
from tkg.config import Settings
from tkg.evidence import Articles
from tkg.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from tkg.storage import StoreError, open_store_dir
from tkg.store import EmbeddedStore
from tkg.turtle import TurtleError

P = """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
PREFIX o: <https://w3id.org/trotskyism/id/org/>
PREFIX person: <https://w3id.org/trotskyism/id/person/>
PREFIX pos: <https://w3id.org/trotskyism/id/position/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def ask(store: EmbeddedStore, where: str) -> bool:
    return store.query(P + "ASK { " + where + " }").boolean


def quiet(_line: str) -> None:
    pass


def test_fixture_build_writes_three_named_graphs(fixture_settings: Settings) -> None:
    directory, manifest = build(fixture_settings, report=quiet)
    assert set(manifest.graphs) == {GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED}
    assert all(count > 0 for count in manifest.graphs.values())
    assert fixture_settings.current_store.resolve() == directory
    assert {"parse", "validate", "reason"} <= set(manifest.stages)
    assert len(manifest.version) == 16
    # the version hashed once, for the directory's name, is the one the manifest and check() carry
    assert manifest.version == dataset_version(fixture_settings, Articles(fixture_settings.seeds_dir))
    assert directory.name.startswith(manifest.version)
    assert check(fixture_settings, report=quiet)[0].version == manifest.version


def test_lineage_is_inferred_across_hops_and_only_from_lineage_events(fixture_settings: Settings) -> None:
    build(fixture_settings, report=quiet)
    store = EmbeddedStore(fixture_settings.current_store)
    # one step each: split, fusion, renaming
    assert ask(store, "o:beta-group tkg:derivedFrom o:alpha-league")
    assert ask(store, "o:delta-party tkg:derivedFrom o:beta-group , o:gamma-circle")
    assert ask(store, "o:epsilon-party tkg:derivedFrom o:delta-party")
    # three hops, transitively, and the inverse
    assert ask(store, "o:epsilon-party tkg:descendsFrom o:alpha-league")
    assert ask(store, "o:alpha-league tkg:ancestorOf o:epsilon-party")
    assert ask(store, "o:alpha-league tkg:hasDerivative o:beta-group")
    # an affiliation is not lineage
    assert not ask(store, "o:gamma-circle tkg:descendsFrom o:alpha-league")
    assert not ask(store, "o:alpha-league tkg:derivedFrom ?x")
    # lineage lives in the inferred graph only
    assert not ask(store, f"GRAPH <{GRAPH_ASSERTED}> {{ ?a tkg:derivedFrom ?b }}")
    assert ask(store, f"GRAPH <{GRAPH_INFERRED}> {{ o:epsilon-party tkg:descendsFrom o:alpha-league }}")


def test_held_position_and_inverses_inferred(fixture_settings: Settings) -> None:
    build(fixture_settings, report=quiet)
    store = EmbeddedStore(fixture_settings.current_store)
    assert ask(store, "person:jane-doe tkg:heldPosition pos:state-capitalism")
    assert ask(store, "pos:state-capitalism tkg:positionHeldBy person:jane-doe")
    assert ask(store, "o:beta-group org:resultedFrom ?event . ?event a tkg:Split")
    assert ask(store, "person:jane-doe tkg:leaderOf o:alpha-league")


def test_reasoner_noise_is_dropped(fixture_settings: Settings) -> None:
    build(fixture_settings, report=quiet)
    store = EmbeddedStore(fixture_settings.current_store)
    assert not ask(store, "?x a owl:Thing")
    assert not ask(store, "?x a rdfs:Resource")
    assert not ask(store, "?x owl:sameAs ?x")
    assert not ask(store, "?x tkg:lineageStep ?y")
    assert not ask(store, "?x a ?c . FILTER isBlank(?c)")
    assert not ask(store, f"GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(owl:))) }}")


def test_evidence_gets_stable_iris(fixture_settings: Settings) -> None:
    build(fixture_settings, report=quiet)
    store = EmbeddedStore(fixture_settings.current_store)
    rows = list(
        store.query(
            P
            + """PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?e WHERE { ?e a tkg:Evidence ; oa:exact ?q }"""
        ).solutions()
    )
    assert rows and all(r["e"].value.startswith("https://w3id.org/trotskyism/id/evidence/") for r in rows)
    assert not ask(store, "?s tkg:evidence ?e FILTER isBlank(?e)")


EXTRA_PREFIXES = """@prefix tkg: <https://w3id.org/trotskyism/ontology#> .
@prefix o: <https://w3id.org/trotskyism/id/org/> .
@prefix person: <https://w3id.org/trotskyism/id/person/> .
@prefix event: <https://w3id.org/trotskyism/id/event/> .
@prefix source: <https://w3id.org/trotskyism/id/source/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def test_claims_get_one_iri_per_triple_and_evidence_a_label(fixture_settings: Settings) -> None:
    # The same triple claimed again in another file, with another quote, is the same claim.
    (fixture_settings.data_dir / "again.ttl").write_text(
        EXTRA_PREFIXES
        + """[] a tkg:Claim ; rdf:subject o:alpha-league ; rdf:predicate tkg:founded ;
    rdf:object "1950"^^xsd:gYear ;
    tkg:evidence [ dcterms:source source:fixture-article ;
                   oa:exact "The Alpha League was founded in 1950. In 1960" ] .
"""
    )
    build(fixture_settings, report=quiet)
    store = EmbeddedStore(fixture_settings.current_store)
    assert not ask(store, "?c a tkg:Claim FILTER isBlank(?c)")
    rows = list(
        store.query(
            P
            + """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?c (COUNT(DISTINCT ?e) AS ?quotes) WHERE {
          ?c a tkg:Claim ; rdf:subject o:alpha-league ; rdf:predicate tkg:founded ; tkg:evidence ?e
        } GROUP BY ?c"""
        ).solutions()
    )
    assert len(rows) == 1 and rows[0]["quotes"].value == "2"
    assert rows[0]["c"].value.startswith("https://w3id.org/trotskyism/id/claim/alpha-league-founded-")
    assert ask(store, f'<{rows[0]["c"].value}> rdfs:label "Alpha League founded 1950"@en')
    labels = {
        row["e"].value: row["l"]
        for row in store.query(
            P
            + "SELECT ?e ?l WHERE { ?e a tkg:Evidence OPTIONAL { ?e rdfs:label ?l FILTER(LANG(?l) = 'en') } }"
        ).solutions()
    }
    assert labels and all(label is not None for label in labels.values())
    assert any(
        label.value == "Fixture article: \u201cJane Doe, who led the Alpha League\u201d"
        for label in labels.values()
    )
    assert all(label.value.startswith("Fixture article: \u201c") for label in labels.values())


def test_event_ranges_and_departures_are_checked(fixture_settings: Settings) -> None:
    quote = 'tkg:evidence [ dcterms:source source:fixture-article ; oa:exact "Jane Doe, who led" ]'
    (fixture_settings.data_dir / "extra.ttl").write_text(
        EXTRA_PREFIXES
        + f"""event:1961-05-02-congress-of-the-alpha-league a tkg:Conference ; rdfs:label "A congress"@en ;
    tkg:from "1961-05-02"^^xsd:date ; tkg:until "1961-05-09"^^xsd:date ;
    tkg:involves o:alpha-league ; {quote} .
event:1962-both-a-date-and-a-range a tkg:Conference ; rdfs:label "Two kinds of date"@en ;
    tkg:date "1962"^^xsd:gYear ; tkg:from "1962"^^xsd:gYear ; tkg:until "1963"^^xsd:gYear ; {quote} .
event:1964-a-range-with-no-end a tkg:Conference ; rdfs:label "No end"@en ;
    tkg:from "1964"^^xsd:gYear ; {quote} .
event:1966-jane-doe-leaves a tkg:Departure ; rdfs:label "Jane Doe leaves"@en ;
    tkg:date "1966"^^xsd:gYear ; tkg:participant person:jane-doe ; {quote} .
"""
    )
    with pytest.raises(ValidationFailed) as caught:
        check(fixture_settings, report=quiet)
    problems = [str(p) for p in caught.value.problems]
    assert not any("congress-of-the-alpha-league" in p for p in problems)
    assert any("1962-both-a-date-and-a-range" in p and "not both" in p for p in problems)
    assert any("1964-a-range-with-no-end" in p and "both ends" in p for p in problems)
    assert any("1966-jane-doe-leaves" in p and "organisation left" in p for p in problems)
    assert len(problems) == 3


def test_malformed_turtle_names_file_and_line_and_keeps_the_store(fixture_settings: Settings) -> None:
    good, _ = build(fixture_settings, report=quiet)
    bad = fixture_settings.data_dir / "broken.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "unterminated .\n')
    with pytest.raises(TurtleError) as caught:
        build(fixture_settings, report=quiet)
    assert caught.value.path == bad
    assert caught.value.line == 3
    assert "broken.ttl:3" in str(caught.value)
    assert fixture_settings.current_store.resolve() == good
    # the failed build parsed into a directory of its own, and removed it
    assert [p.name for p in (fixture_settings.build_dir / "stores").iterdir()] == [good.name]
    store = EmbeddedStore(fixture_settings.current_store)
    assert ask(store, "o:epsilon-party tkg:descendsFrom o:alpha-league")


def test_a_quote_not_in_its_article_fails_validation(fixture_settings: Settings) -> None:
    good, _ = build(fixture_settings, report=quiet)
    path = fixture_settings.data_dir / "fixture.ttl"
    path.write_text(
        path.read_text().replace(
            "The Alpha League was founded in 1950.", "The Alpha League was founded in 1951."
        )
    )
    with pytest.raises(ValidationFailed) as caught:
        build(fixture_settings, report=quiet)
    text = str(caught.value)
    assert "quote not found verbatim" in text
    assert "fixture.ttl" in text and "fixture_article.txt" in text
    assert "The Alpha League was founded in 1951." in text
    assert "alpha-league" in text
    assert fixture_settings.current_store.resolve() == good
    assert [p.name for p in (fixture_settings.build_dir / "stores").iterdir()] == [good.name]


def test_shapes_reject_missing_evidence_and_second_label(fixture_settings: Settings) -> None:
    extra = fixture_settings.data_dir / "extra.ttl"
    extra.write_text("""@prefix tkg: <https://w3id.org/trotskyism/ontology#> .
@prefix o: <https://w3id.org/trotskyism/id/org/> .
@prefix event: <https://w3id.org/trotskyism/id/event/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
o:alpha-league rdfs:label "Another English name"@en .
event:1999-dissolution-of-the-beta-group a tkg:Dissolution ; rdfs:label "Dissolution"@en ;
    tkg:date "1999"^^xsd:gYear ; org:originalOrganization o:beta-group .
o:alpha-paper a tkg:Periodical ; rdfs:label "Alpha Paper"@en .
event:2001-wrong-date a tkg:Dissolution ; rdfs:label "Misnamed"@en ;
    tkg:date "2000"^^xsd:gYear ; org:originalOrganization o:beta-group .
""")
    with pytest.raises(ValidationFailed) as caught:
        check(fixture_settings, report=quiet)
    problems = [str(p) for p in caught.value.problems]
    assert any("alpha-league" in p and "rdfs:label" in p for p in problems)
    assert any("1999-dissolution-of-the-beta-group" in p and "evidence" in p for p in problems)
    assert any("2001-wrong-date" in p and "slug starts with its date" in p for p in problems)
    assert any("alpha-paper" in p and "under id/periodical/" in p for p in problems)
    assert all("extra.ttl" in p or "fixture.ttl" in p for p in problems)


def test_hand_written_lineage_is_refused(fixture_settings: Settings) -> None:
    (fixture_settings.data_dir / "cheat.ttl").write_text(
        "@prefix tkg: <https://w3id.org/trotskyism/ontology#> .\n"
        "<https://w3id.org/trotskyism/id/org/gamma-circle> tkg:derivedFrom "
        "<https://w3id.org/trotskyism/id/org/alpha-league> .\n"
    )
    with pytest.raises(ValidationFailed, match="written by hand"):
        check(fixture_settings, report=quiet)


def test_a_partial_store_is_refused(fixture_settings: Settings, tmp_path: Path) -> None:
    directory, _ = build(fixture_settings, report=quiet)
    (directory / "manifest.json").unlink()
    with pytest.raises(StoreError, match="unfinished build"):
        open_store_dir(fixture_settings.current_store)
    with pytest.raises(StoreError, match="no store"):
        open_store_dir(tmp_path / "nowhere")


def test_a_rebuild_swaps_atomically_and_prunes(fixture_settings: Settings) -> None:
    first, _ = build(fixture_settings, report=quiet)
    second, _ = build(fixture_settings, report=quiet)
    third, _ = build(fixture_settings, report=quiet)
    assert os.readlink(fixture_settings.current_store) == str(third.relative_to(fixture_settings.build_dir))
    remaining = sorted(p.name for p in (fixture_settings.build_dir / "stores").iterdir())
    assert third.name in remaining and second.name in remaining and first.name not in remaining


def test_a_renaming_cycle_is_lineage_but_nobody_descends_from_itself(real_store: EmbeddedStore) -> None:
    # the OCI, banned in 1968, went on as the Trotskyist Organisation and re-formed as the OCI (002)
    to, oci = "o:trotskyist-organisation", "o:internationalist-communist-organisation"
    assert ask(real_store, f"{to} tkg:derivedFrom {oci}")
    assert ask(real_store, f"{oci} tkg:derivedFrom {to}")
    assert not ask(real_store, "?x tkg:descendsFrom ?x")
    assert not ask(real_store, "?x tkg:ancestorOf ?x")


def test_real_graph_infers_crfi_lineage_from_the_wsl(real_store: EmbeddedStore) -> None:
    # WSL -> IT/IF (expulsion) -> ITC (founding) -> INCF (split) -> FTI -> ITO -> CRFI
    assert ask(real_store, "o:crfi tkg:descendsFrom o:workers-socialist-league")
    assert ask(real_store, "o:internationalist-tendency-faction tkg:derivedFrom o:workers-socialist-league")
    assert not ask(real_store, "o:crfi tkg:derivedFrom o:workers-socialist-league")
    assert ask(
        real_store, "o:united-secretariat-of-the-fourth-international tkg:descendsFrom o:left-opposition"
    )


def test_real_graph_keeps_disagreeing_claims(real_store: EmbeddedStore) -> None:
    dates = {
        row["d"].value
        for row in real_store.query(
            P + "SELECT ?d WHERE { o:international-left-opposition tkg:founded ?d }"
        ).solutions()
    }
    assert {"1929", "1930"} <= dates
    assert ask(real_store, "?a tkg:contradicts ?b . ?b tkg:contradicts ?a")


def test_real_graph_every_claim_has_quoted_evidence(real_store: EmbeddedStore) -> None:
    assert not ask(
        real_store, "{ ?x a tkg:Event } UNION { ?x a tkg:Stance } FILTER NOT EXISTS { ?x tkg:evidence ?e }"
    )
    assert not ask(
        real_store,
        """?x tkg:evidence ?e .
        FILTER NOT EXISTS { ?e <http://www.w3.org/ns/oa#exact> ?q ; <http://purl.org/dc/terms/source> ?s }""",
    )


def test_validation_of_the_real_data_passes(real_build: Settings) -> None:
    inputs, _ = check(real_build, report=quiet)
    assert len(inputs.data) > 500
