"""VoID statistics counted by Oxigraph at build time equal those counted from the quads in Python."""

from __future__ import annotations

import pyoxigraph as ox

from tkg import statistics
from tkg.config import Settings
from tkg.union import repeated, union_triples


def test_statistics_from_the_store_equal_the_count_of_its_quads(real_build: Settings) -> None:
    store = ox.Store.read_only(str((real_build.build_dir / "current").resolve() / "oxigraph"))
    quads = list(store.quads_for_pattern(None, None, None, None))
    assert all(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
    counted = statistics.count(quads)
    assert counted.triples > 10_000 and counted.classes and counted.kinds
    assert statistics.from_store(store) == counted


def test_the_union_holds_each_triple_of_the_store_once(real_build: Settings) -> None:
    store = ox.Store.read_only(str((real_build.build_dir / "current").resolve() / "oxigraph"))
    streamed = list(store)
    assert len(streamed) == len(set(streamed)) == len(store)
    union = list(union_triples(iter(streamed), repeated(store)))
    assert set(union) == {ox.Triple(q.subject, q.predicate, q.object) for q in streamed}
    assert len(union) == len(set(union))
