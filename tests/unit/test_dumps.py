"""Dumps from a store: every quad in the quad formats, each triple once in the union, the same bytes twice."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
from pytest import MonkeyPatch

from tkg import dumps, statistics
from tkg.dumps import CHECKSUMS, DUMPS, FORMATS, INDEX, file_name, write_dumps
from tkg.union import repeated

EX = "http://example.org/"
A, B, C = (ox.NamedNode(f"{EX}graph/{name}") for name in "abc")
P = ox.NamedNode(EX + "p")


def _store() -> ox.Store:
    """Three graphs; one triple in all three and one in two, a blank node and a tagged literal."""
    store = ox.Store()
    shared = (ox.NamedNode(EX + "s"), P, ox.Literal("both", language="en"))
    blank = ox.BlankNode("b1")
    store.extend(ox.Quad(ox.NamedNode(f"{EX}s{i}"), P, ox.Literal(i), A) for i in range(50))
    store.extend(ox.Quad(*shared, graph) for graph in (A, B, C))
    store.add(ox.Quad(blank, P, ox.Literal("x"), B))
    store.add(ox.Quad(blank, P, ox.Literal("x"), C))
    store.add(ox.Quad(ox.NamedNode(EX + "only-c"), P, blank, C))
    return store


def _read(path: Path, fmt: ox.RdfFormat) -> list[ox.Quad]:
    return list(ox.parse(gzip.decompress(path.read_bytes()), format=fmt))


def _triple(quad: ox.Quad) -> ox.Triple:
    return ox.Triple(quad.subject, quad.predicate, quad.object)


def test_quad_formats_hold_every_quad_and_the_union_each_triple_once(tmp_path: Path) -> None:
    store = _store()
    written = {d.suffix: d for d in write_dumps(store, tmp_path)}
    target = tmp_path / DUMPS
    quads = set(store.quads_for_pattern(None, None, None, None))
    triples = {_triple(q) for q in quads}
    assert len(triples) == len(quads) - 3  # the shared triple twice more, the blank one once more
    for fmt in FORMATS:
        parsed = _read(target / file_name(fmt), fmt.rdf_format)
        if fmt.quads:
            assert written[fmt.suffix].statements == len(quads)
            assert len(parsed) == len(quads)
            assert set(parsed) == quads
        else:
            assert written[fmt.suffix].statements == len(triples)
            assert len(parsed) == len(triples), fmt.suffix
            assert {_triple(q) for q in parsed} == triples, fmt.suffix
    assert not [p.name for p in target.iterdir() if p.name.startswith(".")]  # the N-Quads source is gone


def test_the_same_store_gives_the_same_bytes_and_checksums(tmp_path: Path) -> None:
    store = _store()
    write_dumps(store, tmp_path / "one")
    write_dumps(store, tmp_path / "two")
    for name in [file_name(f) for f in FORMATS] + [CHECKSUMS, INDEX]:
        assert (tmp_path / "one" / DUMPS / name).read_bytes() == (
            tmp_path / "two" / DUMPS / name
        ).read_bytes()
    index = json.loads((tmp_path / "one" / DUMPS / INDEX).read_text())
    assert [entry["name"] for entry in index] == [file_name(f) for f in FORMATS]


def test_statistics_count_a_triple_in_two_graphs_once() -> None:
    """The union's counts are the graphs' counts less the repeated quads: the same as counting in Python."""
    store = _store()
    counted = statistics.count(list(store))
    assert repeated(store) and counted.triples < len(store)
    assert statistics.from_store(store) == statistics.from_store(store, repeated(store)) == counted


def test_two_processes_write_the_same_bytes_as_two_threads(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    store = _store()
    write_dumps(store, tmp_path / "threads")
    monkeypatch.setattr(dumps, "PROCESSES_FROM", 0)
    write_dumps(store, tmp_path / "processes")
    for name in [file_name(f) for f in FORMATS] + [CHECKSUMS, INDEX]:
        threads, processes = (tmp_path / way / DUMPS / name for way in ("threads", "processes"))
        assert threads.read_bytes() == processes.read_bytes(), name
