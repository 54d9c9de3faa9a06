"""The union of the named graphs holds each triple once: the later copies are named, then left out."""

from __future__ import annotations

import pyoxigraph as ox

from tkg.union import repeated, union_triples

EX = "http://example.org/"
A, B, C = (ox.NamedNode(f"{EX}graph/{name}") for name in "abc")
P = ox.NamedNode(EX + "p")
SHARED = ox.Triple(ox.NamedNode(EX + "s"), P, ox.Literal("both", language="en"))
ONLY_A = ox.Triple(ox.NamedNode(EX + "only-a"), P, ox.Literal(1))


def _store() -> ox.Store:
    """One triple in all three graphs, one in two (with a blank node), one in one."""
    store = ox.Store()
    blank = ox.Triple(ox.BlankNode("b1"), P, ox.Literal("x"))
    store.extend(ox.Quad(SHARED.subject, SHARED.predicate, SHARED.object, graph) for graph in (A, B, C))
    store.extend(ox.Quad(blank.subject, blank.predicate, blank.object, graph) for graph in (B, C))
    store.add(ox.Quad(ONLY_A.subject, ONLY_A.predicate, ONLY_A.object, A))
    return store


def test_repeated_names_each_copy_after_the_first_graph_by_name() -> None:
    found = repeated(_store())
    assert {(q.graph_name, q.subject) for q in found if q.subject == SHARED.subject} == {
        (B, SHARED.subject),
        (C, SHARED.subject),
    }
    assert {q.graph_name for q in found if isinstance(q.subject, ox.BlankNode)} == {C}
    assert len(found) == 3


def test_disjoint_graphs_repeat_nothing() -> None:
    store = ox.Store()
    store.add(ox.Quad(SHARED.subject, SHARED.predicate, SHARED.object, A))
    store.add(ox.Quad(ONLY_A.subject, ONLY_A.predicate, ONLY_A.object, B))
    assert repeated(store) == set()


def test_the_union_streams_each_triple_of_the_store_once() -> None:
    store = _store()
    quads = list(store)
    union = list(union_triples(iter(quads), repeated(store)))
    assert len(union) == len(set(union)) == 3
    assert set(union) == {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
