"""The read path over an in-memory store of a few triples: binding, typed rows, errors, caps."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

import tkg.reads
from tkg.executor import Answer, InProcess, Limits
from tkg.reads import Reader, bind, text, values_block
from tkg.sparql_text import blank
from tkg.store import (
    Boolean,
    EmbeddedStore,
    Graph,
    QueryError,
    QueryFailed,
    QuerySyntaxError,
    ResultTooLarge,
    Rows,
)

EX = "http://example.org/"
GRAPH = ox.NamedNode(EX + "g")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def store() -> EmbeddedStore:
    memory = ox.Store()
    for name, label in (("a", "Alpha"), ("b", "Beta"), ("c", 'Quote " } here')):
        memory.add(ox.Quad(ox.NamedNode(EX + name), RDFS_LABEL, ox.Literal(label, language="en"), GRAPH))
    memory.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "next"), ox.NamedNode(EX + "b"), GRAPH))
    return EmbeddedStore.of(memory)


def reader(max_rows: int = 100) -> Reader:
    return Reader(InProcess(store(), Limits(max_rows=max_rows)))


def test_values_go_at_the_top_of_the_where_not_into_a_construct_template() -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    bound = bind(query, {"s": ox.NamedNode(EX + "a")})
    assert bound.startswith("CONSTRUCT { ?s ?p ?o } WHERE {\n  VALUES (?s)")


def test_a_variable_named_where_is_not_the_where_keyword() -> None:
    query = "SELECT ?where { ?where ?p ?o }"
    assert bind(query, {"p": RDFS_LABEL}).startswith("SELECT ?where {\n  VALUES (?p)")


def test_hostile_text_stays_inside_its_literal() -> None:
    hostile = ox.Literal('"} } ; DROP ALL ; SELECT * { ?s ?p ?o #')
    query = bind("SELECT ?s WHERE { ?s ?p ?q }", {"q": hostile})
    # once strings are blanked, only the block's own braces and the query's remain
    assert blank(query).count("{") == 2
    assert reader().rows(query).rows == []


def test_only_iris_and_literals_can_be_bound() -> None:
    with pytest.raises(TypeError):
        values_block({"x": [ox.BlankNode("b")]})  # type: ignore[list-item]
    with pytest.raises(ValueError):
        values_block({"x } DROP": ox.Literal("1")})


def test_select_gives_typed_rows_with_unbound_variables_left_out() -> None:
    rows = reader().rows(
        "SELECT ?x ?label ?next WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label "
        "OPTIONAL { ?x <http://example.org/next> ?next } } ORDER BY ?label"
    )
    assert isinstance(rows, Rows)
    assert rows.variables == ("x", "label", "next")
    assert rows.rows[0] == {
        "x": ox.NamedNode(EX + "a"),
        "label": ox.Literal("Alpha", language="en"),
        "next": ox.NamedNode(EX + "b"),
    }
    assert "next" not in rows.rows[1]


def test_the_apps_own_queries_get_the_namespace_prefixes() -> None:
    """``labels.rq`` uses ``rdfs:`` and ``skos:`` without PREFIX lines."""
    assert "PREFIX" not in text("labels")
    rows = reader().select("labels", x=[ox.NamedNode(EX + "a"), ox.NamedNode(EX + "c")])
    assert {(r["x"].value, r["label"].value) for r in rows} == {  # type: ignore[union-attr]
        (EX + "a", "Alpha"),
        (EX + "c", 'Quote " } here'),
    }


def test_no_app_query_declares_prefixes_and_every_one_parses() -> None:
    read = reader()
    for path in sorted(tkg.reads.SPARQL_DIR.glob("*.rq")):
        assert not re.search(r"^\s*PREFIX\s", blank(path.read_text()), re.I | re.M), path.name
        read.run(path.read_text(), own=True)  # parses with the namespace prefixes, runs


def test_ask_and_construct_come_back_typed() -> None:
    read = reader()
    assert read.ask("exists", iri=ox.NamedNode(EX + "a")) is True
    assert read.ask("exists", iri=ox.NamedNode(EX + "nothing")) is False
    graph = read.run("CONSTRUCT WHERE { ?s <http://example.org/next> ?o }")
    assert isinstance(graph, Graph) and len(graph.triples) == 1
    assert isinstance(read.run("ASK {}"), Boolean)


def test_answer_serialises_in_the_negotiated_format() -> None:
    answer = reader().answer("SELECT ?x WHERE { ?x <http://example.org/next> ?y }", {"bindings": "text/csv"})
    assert isinstance(answer, Answer)
    assert answer.body.decode().splitlines() == ["x", EX + "a"]


def test_errors_carry_their_status() -> None:
    read = reader(max_rows=2)
    with pytest.raises(QuerySyntaxError) as syntax:
        read.rows("SELEC ?x")
    assert syntax.value.status == 400 and syntax.value.sentence().startswith("Malformed query:")
    with pytest.raises(ResultTooLarge) as large:
        read.rows("SELECT * WHERE { ?s ?p ?o }")
    assert large.value.status == 413
    with pytest.raises(QueryFailed) as failed:
        read.rows("ASK {}")
    assert failed.value.status == 400
    assert all(issubclass(e, QueryError) for e in (QuerySyntaxError, ResultTooLarge, QueryFailed))


def test_metered_work_is_charged_once_with_the_queries_inside_it() -> None:
    """An index search is charged like a query; a query inside a charged block is not charged twice."""
    from tkg.budget import Budget, OverBudget

    now = [0.0]
    budget = Budget(seconds=10, window=60, concurrent=1, clock=lambda: now[0])
    read = Reader(InProcess(store(), Limits()), budget, client=lambda: "203.0.113.7")
    with read.metered():
        now[0] += 6  # six seconds of searching
        # counted inside the six: charged again, it would be a second query at once (concurrent=1), refused
        read.rows("SELECT ?x WHERE { ?x ?p ?o }")
    assert budget.retry_after("203.0.113.7") is None  # 6 s of 10
    with read.metered():
        now[0] += 6
    assert budget.retry_after("203.0.113.7") is not None  # 12 s spent, over the 10
    with pytest.raises(OverBudget), read.metered():
        pass
    with pytest.raises(OverBudget):
        read.rows("ASK {}")
