"""The lexer that guards the endpoint: keywords inside strings, comments and IRIs never count."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tkg.sparql_text import (
    Shape,
    ask_probe,
    blank,
    looks_like_update,
    query_kind,
    refused_services,
    service_targets,
    shape,
)


def test_blank_keeps_offsets_and_iri_brackets() -> None:
    query = 'SELECT * WHERE { ?s ?p "SERVICE <x>" } # DROP ALL\n'
    blanked = blank(query)
    assert len(blanked) == len(query)
    assert "SERVICE" not in blanked and "DROP" not in blanked
    assert blank("ASK { <http://x/#frag> ?p ?o }") == "ASK { <" + " " * 14 + "> ?p ?o }"


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("SELECT ?s WHERE { ?s ?p ?o }", "bindings"),
        ("prefix x: <http://x/> ask { ?s ?p ?o }", "boolean"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "graph"),
        ("DESCRIBE <http://x/>", "graph"),
        ('# SELECT in a comment\nASK { ?s ?p "SELECT" }', "boolean"),
        ("INSERT DATA { <a> <b> <c> }", None),
    ],
)
def test_query_kind_reads_the_form_outside_strings_and_comments(query: str, kind: str | None) -> None:
    assert query_kind(query) == kind


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <a> <b> <c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP SILENT GRAPH <g>",
        "LOAD <http://example.org/x.ttl>",
        "CREATE GRAPH <g>",
        "WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "prefix ex: <http://x/>\nCOPY DEFAULT TO <g>",
    ],
)
def test_updates_are_recognised(update: str) -> None:
    assert looks_like_update(update)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "INSERT DATA { }" }',
        "SELECT ?delete WHERE { ?delete ?p ?o }",
        "ASK { <http://x/drop/all> ?p ?o } # CLEAR ALL",
    ],
)
def test_queries_that_mention_update_words_are_not_updates(query: str) -> None:
    assert not looks_like_update(query)


def test_service_targets_are_read_from_iris_and_variables_are_refused() -> None:
    query = (
        "SELECT * WHERE { SERVICE <http://a.example/sparql> { ?s ?p ?o } "
        "SERVICE SILENT ?endpoint { ?s ?p ?o } SERVICE ex:x { } "
        '?s ?p "SERVICE <http://not.a.call/>" }'
    )
    assert service_targets(query) == ["http://a.example/sparql", None, None]
    refused = refused_services(query, ["A.EXAMPLE"])
    assert refused == ["(a variable or prefixed name)", "(a variable or prefixed name)"]
    assert refused_services(query, []) == [
        "http://a.example/sparql",
        "(a variable or prefixed name)",
        "(a variable or prefixed name)",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "ASK { ?s ?p }",
        "PREFIX a: <x:>\n  ask { ?s ?p }",
        "# ASK in a comment\nASK FROM <x:g> { ?s ?p ?o . FILTER( }",
        "ASK {}\nGROUP BY ?x foo",
    ],
)
def test_an_ask_probe_reports_the_error_where_pyoxigraph_does(query: str) -> None:
    probe = ask_probe(query)
    assert probe is not None
    with pytest.raises(SyntaxError) as original:
        ox.Store().query(query)
    with pytest.raises(SyntaxError) as probed:
        ox.Store().query(probe.text)
    assert probe.position(str(probed.value)).split(":")[:2] == str(original.value).split(":")[:2]


def test_an_ask_probe_parses_without_running_the_ask() -> None:
    values = " ".join(str(i) for i in range(300))
    heavy = (
        f"ASK {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }} FILTER(?a<0) }}"
    )
    probe = ask_probe(heavy)
    assert probe is not None
    # a SELECT is evaluated only as its rows are read: parsing the probe returns without 27 million rows
    assert isinstance(ox.Store().query(probe.text), ox.QuerySolutions)
    assert ask_probe("SELECT * { ?s ?p ?o }") is None
    assert ask_probe('SELECT * { ?s ?p "ASK" }') is None


#: Pieces of query texts, keywords hidden in strings, IRIs and comments among them.
SHAPE_PIECES = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "INSERT DATA",
    "DROP ALL",
    "DELETE WHERE",
    "LOAD <http://e/x>",
    "SERVICE",
    "SERVICE SILENT",
    "<http://e/q>",
    "<http://e/SELECT>",
    "?s",
    "ex:SERVICE",
    "{",
    "}",
    " ",
    "\n",
    '"SELECT"',
    "'DROP ALL'",
    '"""SERVICE <x>\n"""',
    "# SELECT\n",
    "#",
    "<",
    ">",
    '"',
    "'",
    "WHERE",
    "<>",
    "<'x'>",
    "<#x>",
    "INTO",
]


@given(st.lists(st.tuples(st.sampled_from(["", " ", "\n"]), st.sampled_from(SHAPE_PIECES)), max_size=12))
def test_shape_reads_what_the_three_lexers_read(pieces: list[tuple[str, str]]) -> None:
    """Pieces side by side too (``SERVICE<x>``, ``LOAD"x"``): the compact blanking must not move a
    keyword's word boundaries or what follows it."""
    query = "".join(separator + piece for separator, piece in pieces)
    assert shape(query) == Shape(query_kind(query), looks_like_update(query), service_targets(query))


@pytest.mark.timeout(20)
@pytest.mark.parametrize("opening", ["'", '"', "'''", '"""'])
def test_a_string_that_never_closes_is_lexed_once(opening: str) -> None:
    """A hostile text of escaped quotes (100 KB, the body cap) used to be rescanned from every quote:
    minutes on the event loop. An unclosed string now ends at its line's end (short) or the text's."""
    quote = opening[0]
    text = opening + ("\\" + quote) * 50_000
    assert blank(text).strip() == ""
    assert shape(text).services == []
    assert blank(f"ASK {{ ?s ?p {quote}x\nSERVICE <http://e/> {{}} }}").split("\n")[1].startswith("SERVICE")
