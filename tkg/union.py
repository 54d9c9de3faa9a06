"""The default graph as the service queries it: the union of the named graphs, each triple once.

The build's graphs are disjoint by construction (the reasoner reports only new
triples), but a triple asserted in two graphs is one triple of the union. The
dumps of the union and the VoID counts both need to leave the later copies out;
this module is where "each triple once" is decided, so that the two agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox


def repeated(store: ox.Store) -> set[ox.Quad]:
    """The quads whose triple a graph named earlier (by name) also holds: the union leaves them out.

    One join per pair of graphs, inside Oxigraph; the build's graphs are
    disjoint (the reasoner reports only new triples), so this is usually empty,
    and never more than the triples two graphs share.
    """
    graphs = sorted(store.named_graphs(), key=str)
    found: set[ox.Quad] = set()
    for i, earlier in enumerate(graphs):
        for later in graphs[i + 1 :]:
            rows = store.query(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH {earlier} {{ ?s ?p ?o }} GRAPH {later} {{ ?s ?p ?o }} }}"
            )
            assert isinstance(rows, ox.QuerySolutions)
            found.update(ox.Quad(row[0], row[1], row[2], later) for row in rows)
    return found


def union_triples(quads: Iterable[ox.Quad], skip: set[ox.Quad]) -> Iterator[ox.Triple]:
    """The default graph as the service queries it, each triple once: ``quads`` less ``skip``
    (:func:`repeated`), in their own order."""
    if skip:
        quads = (q for q in quads if q not in skip)
    return (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
