"""Full downloads of the graph, written into the store directory at build time.

The dumps are made from the pyoxigraph store just written, so they hold exactly
what the service serves, and they live beside it so that the atomic swap of
``current`` publishes store and dumps together. Each is streamed from the
store through gzip (zero mtime) to disk in the store's own order, so memory
stays flat at any size and the same store gives the same bytes. ``SHA256SUMS`` is in the format
``sha256sum -c`` reads; ``index.json`` describes each file for the service.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from .formats import Format, by_extension
from .namespaces import PREFIXES
from .progress import bar

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


def named_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """Every quad of the named graphs, graph by graph (by name), each graph in the store's index order.

    A stream, not a list: the store's own order is stable for the same
    data, so nothing needs to hold the graph in Python to sort it.
    """
    for graph in sorted(store.named_graphs(), key=str):
        yield from store.quads_for_pattern(None, None, None, graph)


def union_triples(store: ox.Store) -> ox.QueryTriples:
    """The default graph as the service queries it: the union, each triple once (Oxigraph dedups)."""
    triples = store.query(UNION)
    assert isinstance(triples, ox.QueryTriples)
    return triples


UNION = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
UNION_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"


def write_dumps(store: ox.Store, directory: Path) -> list[DumpFile]:
    """Write every dump of the store's named graphs, its checksums and its index.

    Oxigraph serialises each file straight from the store (``Store.dump``, or
    the union's CONSTRUCT) through gzip to disk: no quad becomes a Python
    object unless the syntax takes prefixes and the union must pass through
    ``pyoxigraph.serialize``, and then one at a time.
    """
    target = directory / DUMPS
    target.mkdir(parents=True, exist_ok=True)
    quads = len(store)
    counted = store.query(UNION_COUNT)
    assert isinstance(counted, ox.QuerySolutions)
    union = int(next(iter(counted))[0].value)

    def write(fmt: DumpFormat) -> DumpFile:
        name = file_name(fmt)
        path = target / name
        tmp = path.with_name(name + ".tmp")
        prefixes = PREFIXES if fmt.format.prefixes else None
        with (
            tmp.open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
        ):
            output = cast(IO[bytes], gz)
            if fmt.quads:
                store.dump(output, fmt.rdf_format, prefixes=prefixes)
            elif prefixes:
                ox.serialize(union_triples(store), output, format=fmt.rdf_format, prefixes=prefixes)
            else:
                union_triples(store).serialize(output, fmt.rdf_format)
        os.replace(tmp, path)
        digest, size = _sha256(path)
        statements = quads if fmt.quads else union
        return DumpFile(name, fmt.suffix, fmt.media_type, fmt.title, size, digest, statements)

    # Two at a time: Oxigraph's serialiser and zlib work without the GIL, so two files use two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        written = list(bar(pool.map(write, FORMATS), "dumps", "files", len(FORMATS)))
    _write_atomically(target / CHECKSUMS, "".join(f"{d.sha256}  {d.name}\n" for d in written).encode())
    _write_atomically(target / INDEX, json.dumps([asdict(d) for d in written], indent=2).encode())
    return written


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


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
