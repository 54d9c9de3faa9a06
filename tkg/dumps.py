"""Full downloads of the graph, written into the store directory at build time.

The dumps are made from the pyoxigraph store just written, so they hold exactly
what the service serves, and they live beside it so that the atomic swap of
``current`` publishes store and dumps together. Each is gzipped with a zero
mtime and written in a sorted order, so the same data gives byte-identical
files (and checksums) on every build. ``SHA256SUMS`` is in the format
``sha256sum -c`` reads; ``index.json`` describes each file for the service.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from .formats import Format, by_extension, write_rdf

DUMPS = "dumps"
INDEX = "index.json"
CHECKSUMS = "SHA256SUMS"
BASENAME = "trotskyism"


@dataclass(frozen=True)
class DumpFormat:
    """One kind of dump: a registry format, and whether it keeps the named graphs apart."""

    format: Format
    title: str
    quads: bool

    @property
    def suffix(self) -> str:
        return self.format.extension

    @property
    def media_type(self) -> str:
        return self.format.media_type

    @property
    def rdf_format(self) -> ox.RdfFormat:
        assert isinstance(self.format.oxigraph, ox.RdfFormat)
        return self.format.oxigraph


def _dump(extension: str, title: str, quads: bool) -> DumpFormat:
    fmt = by_extension(extension)
    assert fmt is not None and fmt.carries("dataset" if quads else "graph"), extension
    return DumpFormat(fmt, title, quads)


FORMATS = (
    _dump("nq", "N-Quads (named graphs kept apart)", True),
    _dump("trig", "TriG (named graphs kept apart)", True),
    _dump("jsonld", "JSON-LD (named graphs kept apart)", True),
    _dump("ttl", "Turtle (the union of the named graphs)", False),
    _dump("nt", "N-Triples (the union)", False),
)
BY_SUFFIX = {f.suffix: f for f in FORMATS}


@dataclass(frozen=True)
class DumpFile:
    """A written dump, as listed in ``index.json``."""

    name: str
    suffix: str
    media_type: str
    title: str
    bytes: int
    sha256: str
    statements: int


def file_name(fmt: DumpFormat) -> str:
    return f"{BASENAME}.{fmt.suffix}.gz"


def sorted_quads(store: ox.Store) -> list[ox.Quad]:
    """Every quad in the named graphs, in a stable order (graph, subject, predicate, object)."""
    quads = [q for q in store.quads_for_pattern(None, None, None, None) if q.graph_name != ox.DefaultGraph()]
    quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    return quads


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The default graph as the service queries it: the union, each triple once."""
    seen = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buffer.getvalue()


def write_dumps(quads: list[ox.Quad], directory: Path) -> list[DumpFile]:
    """Write every dump of ``quads`` (see :func:`sorted_quads`), its checksums and its index."""
    target = directory / DUMPS
    target.mkdir(parents=True, exist_ok=True)
    triples = union_triples(quads)
    written = []
    for fmt in FORMATS:
        items = quads if fmt.quads else triples
        data = _gzip(write_rdf(fmt.format, items))
        name = file_name(fmt)
        _write_atomically(target / name, data)
        digest = hashlib.sha256(data).hexdigest()
        written.append(DumpFile(name, fmt.suffix, fmt.media_type, fmt.title, len(data), digest, len(items)))
    _write_atomically(target / CHECKSUMS, "".join(f"{d.sha256}  {d.name}\n" for d in written).encode())
    _write_atomically(target / INDEX, json.dumps([asdict(d) for d in written], indent=2).encode())
    return written


def read_index(directory: Path) -> list[DumpFile]:
    """The dumps of a store directory; empty if the store was built without them."""
    try:
        entries = json.loads((directory / DUMPS / INDEX).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [DumpFile(**entry) for entry in entries]


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
