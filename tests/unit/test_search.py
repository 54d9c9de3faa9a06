"""Search ranking and the class filter the pickers use, on a small in-memory pyoxigraph store."""

from __future__ import annotations

import pytest

from tkg.namespaces import ID, TKG
from tkg.search import SearchIndex, fold

from .memory import memory_reader

DATA = f"""
@prefix tkg: <{TKG}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix o: <{ID}org/> .
@prefix p: <{ID}person/> .
o:lo a tkg:Party, tkg:Organisation ; rdfs:label "Workers' Struggle (France)"@en ;
  skos:altLabel "Lutte Ouvrière"@fr, "LO" .
o:lcr a tkg:Party, tkg:Organisation ; rdfs:label "Revolutionary Communist League (France)"@en ;
  skos:altLabel "Ligue communiste révolutionnaire"@fr, "LCR" .
o:hungarians a tkg:Group, tkg:Organisation ; rdfs:label "Group of Hungarian émigrés (Paris)"@en .
o:fi a tkg:International, tkg:Organisation ; rdfs:label "Fourth International"@en ; skos:altLabel "FI" .
o:fit a tkg:Tendency, tkg:Organisation ; rdfs:label "Fourth Internationalist Tendency"@en .
p:trotsky a tkg:Person ; rdfs:label "Leon Trotsky"@en .
o:trotskyist-league a tkg:Party, tkg:Organisation ; rdfs:label "Trotskyist League"@en .
"""
ORGANISATION = str(TKG) + "Organisation"
PERSON = str(TKG) + "Person"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(memory_reader(DATA))


def iris(hits: list) -> list[str]:
    return [h.iri[len(ID) :] for h in hits]


def test_fold_drops_accents_case_and_punctuation() -> None:
    assert fold("Lutte Ouvrière") == "lutte ouvriere"
    assert fold("L.C.R.") == "l c r"
    assert fold("  Émigrés!  ") == "emigres"


@pytest.mark.parametrize(
    ("text", "first"),
    [("ouvriere", "org/lo"), ("emigres", "org/hungarians"), ("l.c.r.", "org/lcr"), ("LCR", "org/lcr")],
)
def test_names_in_any_language_without_accents_or_dots(index: SearchIndex, text: str, first: str) -> None:
    assert iris(index.search(text))[0] == first


def test_an_exact_name_beats_a_prefix_and_a_main_label_beats_an_other_name(index: SearchIndex) -> None:
    assert iris(index.search("fourth international"))[:2] == ["org/fi", "org/fit"]
    assert iris(index.search("fi"))[0] == "org/fi"


def test_the_class_filter_keeps_only_resources_of_that_class(index: SearchIndex) -> None:
    everyone = iris(index.search("trotsky"))
    assert set(everyone) == {"person/trotsky", "org/trotskyist-league"}
    assert iris(index.search("trotsky", rdf_class=PERSON)) == ["person/trotsky"]
    assert iris(index.search("trotsky", rdf_class=ORGANISATION)) == ["org/trotskyist-league"]
    assert index.search("trotsky", rdf_class=str(TKG) + "Periodical") == []


def test_hits_carry_the_main_label_and_what_matched(index: SearchIndex) -> None:
    hit = index.search("ouvriere")[0]
    assert (hit.label, hit.matched, hit.language, hit.kind) == (
        "Workers' Struggle (France)",
        "Lutte Ouvrière",
        "fr",
        "org",
    )
    assert index.search("") == [] and index.search("!!!") == []
    assert len(index.search("o", limit=2)) == 2


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("trotksy", "person/trotsky"),  # two letters swapped
        ("fouth internatinal", "org/fi"),  # two letters missing
        ("Ligue comuniste revolutionaire", "org/lcr"),  # a slip in another language's name
        ("lute ouvriere", "org/lo"),
    ],
)
def test_a_typo_still_finds_the_resource(index: SearchIndex, text: str, first: str) -> None:
    hits = index.search(text)
    assert iris(hits)[0] == first
    assert not hits[0].exact and 0 < hits[0].similarity < 100
    # the whole name is compared: a surname alone is only partly Leon Trotsky's name
    assert hits[0].similarity > (60 if text == "trotksy" else 80)


def test_a_typo_ranks_below_every_exact_kind_of_match(index: SearchIndex) -> None:
    # "fourth" is a prefix of both: a slip ("fourht") must not outrank them, and a short word has no slips
    exact = index.search("fourth international")[0]
    slipped = index.search("fourht international")[0]
    assert exact.iri == slipped.iri and slipped.score < exact.score
    assert index.search("lx") == [] and index.search("fx") == []


def test_exact_names_are_marked_whatever_the_dots_and_case(index: SearchIndex) -> None:
    assert [(h.iri[len(ID) :], h.exact, h.similarity) for h in index.search("L.C.R.")[:1]] == [
        ("org/lcr", True, 100.0)
    ]
    assert not index.search("fourth")[0].exact


def test_several_classes_filter_at_once(index: SearchIndex) -> None:
    both = frozenset({PERSON, str(TKG) + "Party"})
    assert set(iris(index.search("trotsky", classes=both))) == {"person/trotsky", "org/trotskyist-league"}
    assert index.search("fourth", classes=both) == []
