"""The store a query process queries, the typed answers it gives, and the errors a query can end in.

:class:`EmbeddedStore` wraps the built pyoxigraph store, opened read-only on
disk or copied into memory; the default graph is the union of the named
graphs. Answers travel back to the web process as :class:`Rows`,
:class:`Boolean` or :class:`Graph` of pyoxigraph terms, and failures as a
:class:`QueryError` that carries its HTTP status. The web process reads only
through :class:`tkg.reads.Reader`; it keeps a :class:`GraphStore` for the
manifest (version, counts).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .dumps import BASENAME, DUMPS
from .formats import ResultKind, result_formats
from .storage import Manifest, StoreError, open_store_dir

Kind = ResultKind
#: Variable name (without ``?``) to the RDF term it is bound to.
Substitutions = Mapping[str, "ox.NamedNode | ox.Literal"]

#: Media types each kind of result can be written as, first is the default (from the registry).
RESULT_FORMATS = result_formats()


class QueryError(Exception):
    """A query that cannot be answered, with the HTTP status that says why.

    Raised anywhere on the read path and turned into a response in one place
    (``server/errors.py``), so ``/sparql``, the API, pages and pictures answer
    the same failure with the same status.
    """

    status = 500
    #: Seconds a client should wait before trying again (503s only).
    retry_after: int | None = None
    #: How a person reads the failure, before the message.
    title = "The query failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def sentence(self) -> str:
        """One sentence for the response body: what happened and what to do."""
        return f"{self.title}: {self.message}"


class QuerySyntaxError(QueryError, ValueError):
    """The query does not parse; the message carries the parser's line and column."""

    status = 400
    title = "Malformed query"


class ResultTooLarge(QueryError):
    """The result has more rows (or triples, or bytes) than the cap allows."""

    status = 413
    title = "Result too large"


class QueryTimeout(QueryError):
    """The query ran past its time budget and was stopped."""

    status = 503
    retry_after = 5
    title = "Query stopped"

    def sentence(self) -> str:
        return f"{self.title}: {self.message}. Narrow it or add a LIMIT."


class Busy(QueryError):
    """Every query process stayed busy for longer than a query's budget."""

    status = 503
    retry_after = 5
    title = "Busy"


class StoreUnavailable(QueryError):
    """The remote store did not answer (down, unreachable, or it failed): try again shortly."""

    status = 503
    retry_after = 5
    title = "Store unavailable"


class QueryFailed(QueryError):
    """pyoxigraph refused the query while evaluating it (e.g. an unreachable SERVICE)."""

    status = 400
    title = "The query could not be evaluated"


#: Error class by name, for errors that cross from a query process to the web process.
QUERY_ERRORS: dict[str, type[QueryError]] = {
    cls.__name__: cls
    for cls in (QuerySyntaxError, ResultTooLarge, QueryTimeout, Busy, QueryFailed, StoreUnavailable)
}


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Rows:
    """A SELECT answer: its variables and its rows, each a dict of the variables bound in it."""

    variables: tuple[str, ...]
    rows: list[dict[str, Term]]

    def __iter__(self) -> Iterator[dict[str, Term]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Boolean:
    """An ASK answer."""

    value: bool


@dataclass(frozen=True)
class Graph:
    """A CONSTRUCT or DESCRIBE answer."""

    triples: list[ox.Triple]


#: What a read gives back: one typed shape per kind of result.
Reply = Rows | Boolean | Graph


@dataclass(frozen=True)
class Dataset:
    """An explicit RDF dataset for a query (SPARQL protocol ``default-graph-uri`` etc.)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class Result:
    """One query's answer, ready to be written in any format its kind allows."""

    def __init__(
        self, kind: Kind, raw: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]
    ) -> None:
        self.kind = kind
        self._raw = raw

    def serialize(self, media_type: str, max_rows: int | None = None, max_bytes: int | None = None) -> bytes:
        """Write the result as ``media_type``; over ``max_rows`` rows raise :class:`ResultTooLarge`.

        A capped SELECT answer also stops being written past ``max_bytes``.
        """
        fmt = RESULT_FORMATS[self.kind][media_type]
        raw = self._raw
        if isinstance(raw, ox.QueryTriples | list) and isinstance(fmt, ox.RdfFormat):
            triples = raw if max_rows is None else _capped(raw, max_rows, "triples")
            return ox.serialize(triples, format=fmt) or b""
        if isinstance(fmt, ox.QueryResultsFormat):
            if isinstance(raw, ox.QuerySolutions) and max_rows is not None:
                return _capped_solutions(raw, fmt, max_rows, max_bytes)
            if isinstance(raw, ox.QuerySolutions | ox.QueryBoolean):
                return raw.serialize(format=fmt) or b""
        raise TypeError(f"a {self.kind} result cannot be written as {media_type}")

    @property
    def boolean(self) -> bool:
        """The answer of an ASK query."""
        return bool(self._raw)

    def triples(self, max_rows: int) -> Iterator[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query, at most ``max_rows`` of them."""
        if not isinstance(self._raw, ox.QueryTriples | list):
            raise TypeError(f"a {self.kind} result has no triples")
        return iter(_capped(self._raw, max_rows, "triples"))

    def raw_solutions(self) -> ox.QuerySolutions:
        """The solutions of a SELECT query as pyoxigraph gives them (with their variables)."""
        if not isinstance(self._raw, ox.QuerySolutions):
            raise TypeError(f"a {self.kind} result has no solutions")
        return self._raw

    def solutions(self) -> Iterator[ox.QuerySolution]:
        """The rows of a SELECT query (consumes the result)."""
        if not isinstance(self._raw, ox.QuerySolutions):
            raise TypeError(f"a {self.kind} result has no solutions")
        return iter(self._raw)


class GraphStore(Protocol):
    """What the service needs from a store."""

    @property
    def version(self) -> str: ...

    @property
    def manifest(self) -> Manifest: ...

    def query(
        self,
        sparql: str,
        dataset: Dataset | None = None,
        base_iri: str | None = None,
        substitutions: Substitutions | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> Result: ...


class EmbeddedStore:
    """The built pyoxigraph store: opened read-only on disk, or copied into memory.

    In memory (``in_memory=True``) a query is several times faster on a graph of
    this size (first query: 0.5 ms against 3.9 ms on RocksDB). The copy is read
    from the build's N-Quads dump, so that the process never opens RocksDB: its
    background threads would make a later ``fork`` unsafe.
    """

    def __init__(self, path: Path, in_memory: bool = False) -> None:
        if in_memory:
            self._store, self._manifest, self.directory = load_in_memory(path)
        else:
            self._store, self._manifest, self.directory = open_store_dir(path)

    @classmethod
    def of(cls, store: ox.Store, version: str = "test") -> EmbeddedStore:
        """A store already in memory (a few triples for a unit test), without a build directory."""
        self = cls.__new__(cls)
        graphs = {str(g.value): 0 for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
        self._store, self._manifest, self.directory = store, Manifest(version, "", graphs, {}), Path(".")
        return self

    @property
    def version(self) -> str:
        return self._manifest.version

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    def query(
        self,
        sparql: str,
        dataset: Dataset | None = None,
        base_iri: str | None = None,
        substitutions: Substitutions | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> Result:
        """Run a query; relative IRIs resolve against ``base_iri`` (the endpoint, for the protocol).

        ``substitutions`` binds variables to RDF terms after the pattern is evaluated
        (SEP-0007); :func:`tkg.reads.bind` binds them where the optimiser sees them.
        ``prefixes`` are declared before the query's own (the app's ``.rq`` files
        have no PREFIX lines).
        """
        kwargs: dict = {"use_default_graph_as_union": True}
        if prefixes:
            kwargs["prefixes"] = dict(prefixes)
        if dataset and dataset.default_graphs:
            kwargs = {"default_graph": [ox.NamedNode(g) for g in dataset.default_graphs]}
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(name): term for name, term in substitutions.items()}
        if dataset and dataset.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
        try:
            raw = self._store.query(sparql, base_iri=base_iri, **kwargs)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        if isinstance(raw, ox.QuerySolutions):
            return Result("bindings", raw)
        if isinstance(raw, ox.QueryTriples):
            return Result("graph", raw)
        return Result("boolean", raw)


def has_dump(path: Path) -> bool:
    """Whether a store directory has the N-Quads dump its in-memory copy is read from."""
    return (path.resolve() / DUMPS / f"{BASENAME}.nq.gz").exists()


def load_in_memory(path: Path) -> tuple[ox.Store, Manifest, Path]:
    """A complete store's quads in an in-memory store, read from its N-Quads dump (else from RocksDB)."""
    if not path.exists():
        raise StoreError(f"no store at {path}: run `tkg build` first")
    directory = path.resolve()
    manifest = Manifest.read(directory)
    dump = directory / DUMPS / f"{BASENAME}.nq.gz"
    store = ox.Store()
    if dump.exists():
        store.load(gzip.decompress(dump.read_bytes()), format=ox.RdfFormat.N_QUADS)
    else:  # a store built without dumps
        disk, _manifest, _directory = open_store_dir(directory)
        store.extend(disk.quads_for_pattern(None, None, None, None))
        del disk
    present = {str(g.value) for g in store.named_graphs()}
    missing = set(manifest.graphs) - present
    if missing:
        raise StoreError(f"{directory} lacks named graphs {sorted(missing)}: corrupt store")
    return store, manifest, directory


def _capped(items: Iterable, max_rows: int, what: str) -> list:
    capped = []
    for count, item in enumerate(items, start=1):
        if count > max_rows:
            raise ResultTooLarge(f"more than {max_rows} result {what}; add a LIMIT")
        capped.append(item)
    return capped


@dataclass(frozen=True)
class _RowMarks:
    """Where a results format's bytes show its rows, so that the row cap needs no parsing.

    An answer of at most ``row_bytes`` times the cap cannot be over it (every row takes at least
    ``row_bytes``): most answers are never counted. Past that size, ``starts`` (which occur only
    where a row begins: the format escapes them inside terms) are counted while pyoxigraph
    writes, and stop a huge answer early; ``ends`` mark each row too, but may also occur inside
    ``strings``, so an answer that seems over the cap by them is counted again with its strings
    blanked. ``header`` is the marks before the first row.
    """

    row_bytes: int
    starts: tuple[bytes, ...]
    header: int = 0
    strings: re.Pattern[bytes] | None = None
    ends: tuple[bytes, ...] = ()

    def rows(self, body: bytes, most: int) -> int:
        """The answer's rows, counted exactly only if a cheap bound says they may be over ``most``."""
        if self.strings is None:
            return sum(body.count(mark) for mark in self.starts) - self.header
        bound = sum(body.count(mark) for mark in self.ends) - self.header
        if bound <= most:
            return bound
        blank = self.strings.sub(b'""', body)
        return sum(blank.count(mark) for mark in self.ends) - self.header


#: Every SELECT results format: a row is a line of TSV, an XML ``<result>`` (``<result></result>``
#: at least), a JSON object opened after ``[`` or ``,`` (``{}`` at least; ``,{"``: one with
#: bindings), a CSV line.
_ROW_MARKS = {
    ox.QueryResultsFormat.TSV: _RowMarks(1, (b"\n",), header=1),
    ox.QueryResultsFormat.XML: _RowMarks(17, (b"<result>",)),
    ox.QueryResultsFormat.JSON: _RowMarks(
        2, (b',{"', b'[{"'), strings=re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"'), ends=(b",{", b"[{")
    ),
    ox.QueryResultsFormat.CSV: _RowMarks(
        2, (), header=1, strings=re.compile(rb'"[^"]*(?:""[^"]*)*"'), ends=(b"\r\n",)
    ),
}


def _capped_solutions(
    solutions: ox.QuerySolutions, fmt: ox.QueryResultsFormat, max_rows: int, max_bytes: int | None
) -> bytes:
    """The solutions written as ``fmt``, or :class:`ResultTooLarge` past ``max_rows`` or ``max_bytes``.

    pyoxigraph writes the answer once, in the format asked for, into a sink that counts rows
    only in an answer large enough to be over the cap (the cap went through TSV and back
    before: ~6 µs a query on descendants, ~11 on splits).
    """
    marks = _ROW_MARKS[fmt]
    sink = _Marked(marks, max_rows, max_bytes)
    try:
        solutions.serialize(sink, format=fmt)  # type: ignore[arg-type]
    except (OSError, ValueError):
        if sink.over:
            raise ResultTooLarge(sink.over) from None
        raise
    body = b"".join(sink.chunks)
    if sink.size > sink.quiet and marks.rows(body, max_rows) > max_rows:
        raise ResultTooLarge(sink.too_many())
    return body


class _Marked:
    """A binary sink that keeps what is written and refuses more than ``max_rows`` rows or ``max_bytes``.

    The start marks of a format are of one length, so that none fits in the kept tail and is
    counted twice.
    """

    def __init__(self, marks: _RowMarks, max_rows: int, max_bytes: int | None) -> None:
        self.marks, self.max_rows, self.max_bytes = marks, max_rows, max_bytes
        self.quiet = marks.row_bytes * max_rows
        self.seen = self.size = 0
        self.tail = b""
        self.over = ""
        self.chunks: list[bytes] = []

    def too_many(self) -> str:
        return f"more than {self.max_rows} result rows; add a LIMIT"

    def flush(self) -> None:
        pass

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.chunks.append(chunk)
        was, self.size = self.size, self.size + len(chunk)
        if self.size > self.quiet and self.marks.starts:
            # Counted from the write that passes the quiet size on; a mark split between two
            # writes is counted once, with the previous write's last bytes.
            joined = b"".join(self.chunks) if was <= self.quiet else self.tail + chunk
            self.seen += sum(joined.count(mark) for mark in self.marks.starts)
            keep = len(self.marks.starts[0]) - 1
            self.tail = joined[len(joined) - keep :] if keep else b""
            if self.seen - self.marks.header > self.max_rows:
                self.over = self.too_many()
        if self.max_bytes is not None and self.size > self.max_bytes and not self.over:
            self.over = f"the result is over {self.max_bytes} bytes; add a LIMIT"
        if self.over:
            raise ValueError(self.over)
        return len(chunk)
