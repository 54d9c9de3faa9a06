"""A small graph in pyoxigraph's in-memory store, read through the read path in this process."""

from __future__ import annotations

import pyoxigraph as ox

from tkg.executor import InProcess
from tkg.reads import Reader
from tkg.store import EmbeddedStore

GRAPH = ox.NamedNode("http://example.org/graph")


def memory_reader(turtle: str) -> Reader:
    """A :class:`Reader` of ``turtle`` (in one named graph, as a build writes it), without a pool."""
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE, to_graph=GRAPH)
    return Reader(InProcess(EmbeddedStore.of(store)))
