"""Full downloads of the graph, written into the store directory at build time.

The dumps are made from the pyoxigraph store just written, so they hold exactly
what the service serves, and they live beside it so that the atomic swap of
``current`` publishes store and dumps together. The store is read once into an
N-Quads file, and each format is streamed from that file through gzip (zero
mtime) to disk in the store's own order, so memory stays flat at any size and
the same store gives the same bytes. ``SHA256SUMS`` is in the format
``sha256sum -c`` reads; ``index.json`` describes each file for the service.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from .formats import Format, by_extension
from .namespaces import PREFIXES
from .progress import bar
from .union import repeated, union_triples

DUMPS = "dumps"
INDEX = "index.json"
CHECKSUMS = "SHA256SUMS"
BASENAME = "trotskyism"
COPY_CHUNK = 1 << 20


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


#: From this many quads on, ``python -m tkg.dumps`` processes write the parsed formats while this
#: one gzips the N-Quads and counts the statistics: the parsers and serialisers hold the GIL for
#: much of their time, so threads would share one core. Each starts in about half a second.
PROCESSES_FROM = 100_000
#: The parsed formats a process writes at scale: the quad formats start as soon as the N-Quads
#: file is written, the union's once the repeated quads are known (at 10x the two groups each
#: take about as long).
GROUPS = (("trig", "jsonld"), ("ttl", "nt"))


def write_dumps(
    store: ox.Store, directory: Path, skip: Callable[[], set[ox.Quad]] | None = None
) -> list[DumpFile]:
    """Write every dump of the store's named graphs, its checksums and its index.

    The store is read once, by Oxigraph, into an uncompressed N-Quads file
    beside the dumps: reading a quad back from the store costs a lookup per
    term, so five reads were most of the time. Every other format is that file
    parsed again (Oxigraph's parser, several times faster than the store) and
    written through gzip; the file is removed at the end. For a large store two
    other processes write those (``python -m tkg.dumps``, not
    :mod:`multiprocessing`, which would run the caller's main script again in
    it). The quad formats keep the store's order; the union leaves out the
    quads :func:`~tkg.union.repeated` names (or ``skip`` gives: the build finds them beside this, once
    for the dumps and the statistics).
    """
    target = directory / DUMPS
    target.mkdir(parents=True, exist_ok=True)
    source = target / ".quads.nq"
    skipped = target / ".repeated.nq"
    try:
        store.dump(str(source), ox.RdfFormat.N_QUADS)
        quads = len(store)
        if quads < PROCESSES_FROM:
            skipped_quads = repeated(store) if skip is None else skip()
            written = _in_threads(source, target, quads, skipped_quads)
        else:
            written = _beside_processes(
                source, target, quads, skipped, lambda: repeated(store) if skip is None else skip()
            )
    finally:
        source.unlink(missing_ok=True)
        skipped.unlink(missing_ok=True)
    _write_atomically(target / CHECKSUMS, "".join(f"{d.sha256}  {d.name}\n" for d in written).encode())
    _write_atomically(target / INDEX, json.dumps([asdict(d) for d in written], indent=2).encode())
    return written


def _in_threads(source: Path, target: Path, quads: int, skip: set[ox.Quad]) -> list[DumpFile]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = pool.map(lambda f: write_file(source, target, f.suffix, quads, skip), FORMATS)
        return list(bar(done, "dumps", "files", len(FORMATS)))


def _beside_processes(
    source: Path, target: Path, quads: int, skipped: Path, skip: Callable[[], set[ox.Quad]]
) -> list[DumpFile]:
    """The parsed formats by ``python -m tkg.dumps`` processes (:data:`GROUPS`), the N-Quads
    (a gzipped copy) here. The quad formats' process starts before ``skip`` is asked: they
    keep every quad. The union's gets the repeated quads as an N-Quads file, ``skipped``."""
    children: list[subprocess.Popen[bytes]] = []

    def start(suffixes: tuple[str, ...], repeated_file: str) -> None:
        command = [sys.executable, "-m", "tkg.dumps", str(source), str(target), str(quads), repeated_file]
        children.append(
            subprocess.Popen([*command, *suffixes], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        )

    written: dict[str, DumpFile] = {}
    try:
        quad_formats, union_formats = GROUPS
        assert all(BY_SUFFIX[s].quads for s in quad_formats), quad_formats
        start(quad_formats, "")
        skipping = skip()
        ox.serialize(sorted(skipping, key=str), str(skipped), ox.RdfFormat.N_QUADS)
        start(union_formats, str(skipped))
        parsed = {*quad_formats, *union_formats}
        written = {
            f.suffix: write_file(source, target, f.suffix, quads, skipping)
            for f in FORMATS
            if f.suffix not in parsed
        }
        results = [child.communicate() for child in children]
    except BaseException:  # this side failed or was stopped: the other sides' work is moot
        for child in children:
            child.kill()
            child.wait()
        raise
    for child, (out, err) in zip(children, results, strict=True):
        if child.returncode != 0:
            raise RuntimeError(f"writing the dumps failed: {err.decode(errors='replace').strip()[-2000:]}")
        for line in out.decode().splitlines():
            dump = DumpFile(**json.loads(line))
            written[dump.suffix] = dump
    return [written[f.suffix] for f in FORMATS]


def write_file(source: Path, target: Path, suffix: str, quads: int, skip: set[ox.Quad]) -> DumpFile:
    """One dump, from the N-Quads file ``source`` (of ``quads`` quads, less ``skip`` in the union)."""
    fmt = BY_SUFFIX[suffix]
    name = file_name(fmt)
    path = target / name
    tmp = path.with_name(name + ".tmp")
    prefixes = PREFIXES if fmt.format.prefixes else None
    try:
        with (
            tmp.open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
        ):
            output = cast(IO[bytes], gz)
            if fmt.rdf_format == ox.RdfFormat.N_QUADS:
                with source.open("rb") as nquads:
                    shutil.copyfileobj(nquads, output, COPY_CHUNK)
            else:
                parsed = ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS)
                items = parsed if fmt.quads else union_triples(cast(Iterator[ox.Quad], parsed), skip)
                ox.serialize(items, output, format=fmt.rdf_format, prefixes=prefixes)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # a failed write leaves no half a file (after the rename: nothing)
    digest, size = _sha256(path)
    statements = quads if fmt.quads else quads - len(skip)
    return DumpFile(name, fmt.suffix, fmt.media_type, fmt.title, size, digest, statements)


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


def main(argv: list[str]) -> int:
    """``python -m tkg.dumps SOURCE TARGET QUADS REPEATED SUFFIX...``: those dumps (:func:`write_file`),
    each described on a line of JSON; ``REPEATED`` is an N-Quads file of the quads the union leaves out
    (empty for quad formats only)."""
    source, target, quads, skipped, *suffixes = argv
    skip = (
        set(cast(Iterator[ox.Quad], ox.parse(path=skipped, format=ox.RdfFormat.N_QUADS)))
        if skipped
        else set()
    )
    assert skipped or all(BY_SUFFIX[s].quads for s in suffixes), "the union's formats need REPEATED"
    for suffix in suffixes:
        written = write_file(Path(source), Path(target), suffix, int(quads), skip)
        print(json.dumps(asdict(written)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
