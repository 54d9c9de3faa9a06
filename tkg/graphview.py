"""Named graphs of an Oxigraph store read like an rdflib Graph, one whole predicate at a time.

The lint, the quote checks and the labels ask an rdflib-style graph for a node's
objects or a predicate's subjects. Holding the whole asserted graph in rdflib
(three indexes of Python objects per triple) is what made a large build's memory
grow with rdflib rather than with the data; asking the store once per lookup
would cost a query each. Here each predicate the code asks about is read once
with a whole-predicate scan into two plain dicts (subject to objects, object to
subjects) of rdflib terms, interned so a term shared by many triples is one
object. Predicates nobody asks about are never read.

Only lookups with a bound predicate are answered (every rule names its
predicate); the view is read-only and reflects the store as it was when each
predicate was first read.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from .storage import to_ox, to_rdflib

_Index = dict[Node, list[Node]]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic collector off while an index of many objects is built, on again after.

    Each full collection walks every tracked object; building a whole predicate's index
    allocates objects that all survive (no cycles among them), so the collector ran again and
    again over a heap that grows with the graph: about 40% of reading the lint's predicates at
    100x. The collector sees the new objects once, at its next run after this.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Terms:
    """pyoxigraph terms as rdflib terms, each distinct term converted once and shared."""

    def __init__(self) -> None:
        self._cache: dict[Any, Node] = {}

    def __call__(self, term: Any) -> Node:
        found = self._cache.get(term)
        if found is None:
            found = self._cache[term] = to_rdflib(term)
        return found


class StoreGraph:
    """One named graph of ``store``, with rdflib's lookup methods (bound predicate)."""

    def __init__(self, store: ox.Store, graph: str, terms: Terms | None = None) -> None:
        self.store = store
        self.graph = ox.NamedNode(graph)
        self.terms = terms or Terms()
        self._forward: dict[Node, _Index] = {}
        self._backward: dict[Node, _Index] = {}

    def forward(self, predicate: Node) -> _Index:
        """Subject to its objects for ``predicate`` (read from the store on first use)."""
        index = self._forward.get(predicate)
        if index is None:
            index = self._forward[predicate] = {}
            term, p = self.terms, to_ox(predicate)
            with collector_paused():
                for quad in self.store.quads_for_pattern(None, p, None, self.graph):  # type: ignore[arg-type]
                    index.setdefault(term(quad.subject), []).append(term(quad.object))
        return index

    def backward(self, predicate: Node) -> _Index:
        """Object to its subjects for ``predicate`` (built from :meth:`forward`)."""
        index = self._backward.get(predicate)
        if index is None:
            index = self._backward[predicate] = {}
            forward = self.forward(predicate)
            with collector_paused():
                for subject, objects in forward.items():
                    for obj in objects:
                        index.setdefault(obj, []).append(subject)
        return index

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator[Node]:
        if predicate is None:
            raise ValueError("StoreGraph answers lookups with a bound predicate only")
        if subject is None:
            yield from self.backward(predicate)
        else:
            yield from self.forward(predicate).get(subject, ())

    def subjects(self, predicate: Node | None = None, object: Node | None = None) -> Iterator[Node]:
        if predicate is None:
            raise ValueError("StoreGraph answers lookups with a bound predicate only")
        if object is None:
            yield from self.forward(predicate)
        else:
            yield from self.backward(predicate).get(object, ())

    def subject_objects(self, predicate: Node | None = None) -> Iterator[tuple[Node, Node]]:
        if predicate is None:
            raise ValueError("StoreGraph answers lookups with a bound predicate only")
        for subject, objects in self.forward(predicate).items():
            for obj in objects:
                yield subject, obj

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        """Whether the (fully bound) triple is there, as ``triple in graph`` asks rdflib."""
        s, p, o = triple
        return o in self.forward(p).get(s, ())

    def value(self, subject: Node | None = None, predicate: Node | None = None) -> Node | None:
        """One object of ``subject``'s ``predicate`` (the first read), as rdflib's ``value``."""
        return next(self.objects(subject, predicate), None)


#: What the rules read: an rdflib graph (small inputs, the reference paths) or a store's view.
Readable = Graph | StoreGraph


class StoredTriples:
    """One named graph of a store as a collection of rdflib triples, read as it is iterated.

    What the reasoner reads its instance data from: it walks the graph twice (the
    schema's triples, then the instances), each time streaming from the store.
    """

    def __init__(self, store: ox.Store, graph: str, terms: Terms | None = None) -> None:
        self.store = store
        self.graph = ox.NamedNode(graph)
        self.terms = terms or Terms()

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        term = self.terms
        for quad in self.store.quads_for_pattern(None, None, None, self.graph):
            yield term(quad.subject), term(quad.predicate), term(quad.object)

    def triples(self, pattern: tuple[None, Node, Node | None]) -> Iterator[tuple[Node, Node, Node]]:
        """The triples matching ``(None, predicate, object or None)``, by Oxigraph's indexes."""
        _, p, o = pattern
        term, obj = self.terms, None if o is None else to_ox(o)
        for quad in self.store.quads_for_pattern(None, to_ox(p), obj, self.graph):  # type: ignore[arg-type]
            yield term(quad.subject), term(quad.predicate), term(quad.object)

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        s, p, o = triple
        subject, predicate = to_ox(s), to_ox(p)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            return False
        return ox.Quad(subject, predicate, to_ox(o), self.graph) in self.store

    def __len__(self) -> int:
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, self.graph))
