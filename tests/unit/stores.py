"""A small built store for the unit tier: a few dozen triples, written like a build writes them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from tkg.dumps import write_dumps
from tkg.storage import write_store

EX = "http://example.org/"
GRAPH = EX + "graph"
#: Enough triples that a four-way cartesian product outlives a short budget.
SIZE = 60
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def make_store(build_dir: Path, dumps: bool = True) -> Path:
    graph = Graph()
    for i in range(SIZE):
        graph.add((URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(i)))

    def publish(store: ox.Store, directory: Path) -> None:
        write_dumps(store, directory)

    return write_store(build_dir, "unit", {GRAPH: graph}, {}, publish if dumps else None)
