"""A description's graph: each statement once, in an order that does not depend on the engine's plan."""

from __future__ import annotations

import pyoxigraph as ox

from tkg.describe import Description, Statement, describe
from tkg.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED

from .memory import memory_reader

EX = "http://example.org/"
TURTLE = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a rdfs:label "Alpha"@en ; ex:next ex:b .
ex:b rdfs:label "Beta"@en ; ex:next ex:a .
"""


def statements() -> list[Statement]:
    a, b, nxt = ox.NamedNode(EX + "a"), ox.NamedNode(EX + "b"), ox.NamedNode(EX + "next")
    return [
        Statement(a, nxt, b, GRAPH_ASSERTED),
        Statement(b, nxt, a, GRAPH_ASSERTED),
        Statement(a, nxt, b, GRAPH_INFERRED),  # the same triple in the other graph: once in the graph
        Statement(a, ox.NamedNode(EX + "p"), ox.Literal("x"), GRAPH_INFERRED),
    ]


def test_the_same_statements_in_any_order_give_the_same_triples() -> None:
    rows = statements()
    label = ox.Triple(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "label"), ox.Literal("Beta"))
    one = Description(EX + "a", rows, label_triples=[label]).triples()
    other = Description(EX + "a", rows[::-1], label_triples=[label]).triples()
    assert one == other and len(one) == 4
    assert len(set(one)) == len(one)


def test_a_description_read_through_the_read_path_lists_its_labels_once() -> None:
    described = describe(memory_reader(TURTLE), EX + "a")
    triples = described.triples()
    assert described.exists and len(set(triples)) == len(triples)
    assert (
        ox.Triple(
            ox.NamedNode(EX + "b"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("Beta", language="en"),
        )
        in triples
    )
