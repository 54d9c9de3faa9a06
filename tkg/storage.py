"""The built store on disk: written to a fresh directory, then swapped in atomically.

Layout under the build directory::

    stores/<version>-<timestamp>/   one complete build: oxigraph/ and manifest.json
    current -> stores/...           symlink, replaced with os.replace (atomic)

``manifest.json`` is written last, so a directory without it is a build that
died half way; :func:`open_store_dir` refuses it. A failed or killed build never
touches ``current``, so the last good store keeps serving.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from . import failpoints
from .progress import bar

MANIFEST = "manifest.json"
KEEP_OLD = 2
STALE_SECONDS = 3600


class StoreError(Exception):
    """The store directory is missing, partial or corrupt."""


@dataclass(frozen=True)
class Manifest:
    """What a complete store holds; written last, read at start-up."""

    version: str
    built: str
    graphs: dict[str, int]
    stages: dict[str, float]

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "built": self.built,
                "graphs": self.graphs,
                "stages": self.stages,
                "complete": True,
            },
            indent=2,
        )

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise StoreError(f"{directory} has no {MANIFEST}: an unfinished build, refused") from error
        except (OSError, ValueError) as error:
            raise StoreError(f"{path} is unreadable: {error}") from error
        if not data.get("complete"):
            raise StoreError(f"{path} does not mark a complete build")
        return cls(data["version"], data["built"], data["graphs"], data.get("stages", {}))


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """A pyoxigraph term as an rdflib term (a plain string without ``xsd:string``, as rdflib parses it)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    plain = datatype == "http://www.w3.org/2001/XMLSchema#string"
    return Literal(term.value, datatype=None if plain else URIRef(datatype))


def to_ox_quad(s: Node, p: Node, o: Node, graph_name: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
    """An rdflib triple as a pyoxigraph quad in ``graph_name``.

    rdflib types every position of a triple as any term; a literal subject or a
    non-IRI predicate is refused here with the ``TypeError`` ``ox.Quad`` raises.
    """
    subject, predicate = to_ox(s), to_ox(p)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise TypeError(f"not an RDF triple: {s!r} {p!r} {o!r}")
    return ox.Quad(subject, predicate, to_ox(o), graph_name)


class Triples(Protocol):
    """What a graph is written from: an rdflib Graph, or a set of its triples."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]: ...


def quads(graph: Triples, graph_iri: str) -> Iterable[ox.Quad]:
    name = ox.NamedNode(graph_iri)
    for s, p, o in graph:
        yield to_ox_quad(s, p, o, name)


def new_directory(build_dir: Path, version: str) -> Path:
    """A fresh, empty store directory under ``build_dir/stores`` (not current, no manifest yet)."""
    stores = build_dir / "stores"
    stores.mkdir(parents=True, exist_ok=True)
    # microseconds: a fast build can finish twice within a second in one process
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"{time.time_ns() // 1000 % 1_000_000:06d}"
    directory = stores / f"{version}-{stamp}-{os.getpid()}"
    (directory / "oxigraph").mkdir(parents=True)
    return directory


def write_store(
    build_dir: Path,
    version: str,
    graphs: dict[str, Triples],
    stages: dict[str, float],
    publish: Callable[[ox.Store, Path], None] | None = None,
) -> Path:
    """Write the named graphs into a new store directory and return it (not yet current).

    ``graphs`` is emptied once they are in the store, so that a caller that
    keeps no other reference frees them before ``publish`` runs.
    """
    directory = new_directory(build_dir, version)
    store = ox.Store(str(directory / "oxigraph"))
    counts = {}
    for iri in list(graphs):
        # popped: the caller's rdflib graphs are free for the dumps once loaded
        counts[iri] = load(store, iri, graphs.pop(iri))
    gc.collect()  # an rdflib Graph holds reference cycles
    finish(store, directory, version, counts, stages, publish)
    return directory


def finish(
    store: ox.Store,
    directory: Path,
    version: str,
    counts: dict[str, int],
    stages: dict[str, float],
    publish: Callable[[ox.Store, Path], None] | None = None,
) -> None:
    """Complete a store whose graphs are written: compact it, publish beside it, write the manifest.

    ``publish`` writes what goes beside the store (dumps, statistics) before the
    manifest, so that a store directory with a manifest is complete with them.
    The store is closed when this returns.
    """
    store.flush()
    store.optimize()
    failpoints.reached("store:written")
    if publish is not None:
        publish(store, directory)
    del store
    manifest = Manifest(version, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), counts, stages)
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    failpoints.reached("manifest:temporary")
    os.replace(tmp, directory / MANIFEST)


#: Quads per ``bulk_extend`` call: Oxigraph's bulk loader holds a call's quads (up to a million) with
#: their sorted keys in memory, about 800 MB for the 1.1 million inferred triples of the 100x graph.
BULK_CHUNK = 250_000


#: Below this many quads a call is an ordinary transaction: a bulk load writes and ingests a set of
#: files per call (tens of milliseconds on disk), which made parsing the real graph's 24 files 4x slower.
BULK_FROM = 20_000


def bulk_extend(store: ox.Store, quads: Iterable[ox.Quad], chunk: int = BULK_CHUNK) -> None:
    """``store.bulk_extend`` a chunk at a time, so its memory is bounded whatever the count."""
    iterator = iter(quads)
    while batch := list(islice(iterator, chunk)):
        if len(batch) < BULK_FROM:
            store.extend(batch)
        else:
            store.bulk_extend(batch)


def load(store: ox.Store, iri: str, graph: Triples) -> int:
    """Write rdflib triples into the named graph ``iri`` of ``store`` (with a bar); return how many."""
    name = iri.rstrip("/").rsplit("/", 1)[-1]
    bulk_extend(store, bar(quads(graph, iri), f"load {name}", "triples", len(graph)))
    return len(graph)


def swap_current(build_dir: Path, directory: Path) -> None:
    """Point ``current`` at ``directory`` in one atomic rename, then prune old stores."""
    link = build_dir / "current"
    tmp = build_dir / f".current.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(directory.relative_to(build_dir))
    failpoints.reached("swap:linked")
    os.replace(tmp, link)
    failpoints.reached("swap:replaced")
    prune(build_dir, keep=directory)


def prune(build_dir: Path, keep: Path) -> None:
    """Remove all but the newest few complete stores, unfinished ones, and links a killed swap left."""
    for link in build_dir.glob(".current.*"):
        if link.is_symlink() and link.name != f".current.{os.getpid()}":
            link.unlink(missing_ok=True)
    stores = sorted((build_dir / "stores").iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    kept = 0
    for directory in stores:
        if directory == keep:
            continue
        complete = (directory / MANIFEST).is_file()
        if complete and kept < KEEP_OLD - 1:
            kept += 1
            continue
        if not complete and time.time() - _last_written(directory) < STALE_SECONDS:
            continue  # perhaps another build still writing
        shutil.rmtree(directory, ignore_errors=True)


def _last_written(directory: Path) -> float:
    """When anything in a store directory was last written: a build fills its ``oxigraph/`` for
    all its stages (an hour and more at 1000x) without touching the directory itself."""
    newest = directory.stat().st_mtime
    for path in directory.rglob("*"):
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:  # gone meanwhile: RocksDB replaces files as it compacts
            continue
    return newest


def open_store_dir(path: Path) -> tuple[ox.Store, Manifest, Path]:
    """Open a complete store read-only; refuse a missing, partial or corrupt one."""
    if not path.exists():
        raise StoreError(f"no store at {path}: run `tkg build` first")
    directory = path.resolve()
    manifest = Manifest.read(directory)
    try:
        store = ox.Store.read_only(str(directory / "oxigraph"))
    except OSError as error:
        raise StoreError(f"{directory} cannot be opened: {error}") from error
    present = {str(g.value) for g in store.named_graphs()}
    missing = set(manifest.graphs) - present
    if missing:
        raise StoreError(f"{directory} lacks named graphs {sorted(missing)}: corrupt store")
    return store, manifest, directory
