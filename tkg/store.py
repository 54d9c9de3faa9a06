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
import io
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

    def serialize(self, media_type: str, max_rows: int | None = None) -> bytes:
        """Write the result as ``media_type``; over ``max_rows`` rows raise :class:`ResultTooLarge`."""
        fmt = RESULT_FORMATS[self.kind][media_type]
        raw = self._raw
        if isinstance(raw, ox.QueryTriples | list) and isinstance(fmt, ox.RdfFormat):
            triples = raw if max_rows is None else _capped(raw, max_rows, "triples")
            return ox.serialize(triples, format=fmt) or b""
        if isinstance(fmt, ox.QueryResultsFormat):
            if isinstance(raw, ox.QuerySolutions) and max_rows is not None:
                raw = _capped_solutions(raw, max_rows)
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


def _capped_solutions(solutions: ox.QuerySolutions, max_rows: int) -> ox.QuerySolutions:
    """At most ``max_rows`` solutions, re-readable by any of pyoxigraph's serializers.

    pyoxigraph writes the rows as TSV (one line per row, after the header) into a
    sink that stops it past ``max_rows`` lines, and parses them back: the rows
    never pass through Python one by one (splits with their dates: 190 µs
    instead of 390 µs when each term was written by ``str`` here).
    """
    sink = _Lines(max_rows + 1)
    try:
        solutions.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    except (OSError, ValueError):
        if sink.over:
            raise ResultTooLarge(f"more than {max_rows} result rows; add a LIMIT") from None
        raise
    parsed = ox.parse_query_results(b"".join(sink.chunks), format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    return parsed


class _Lines(io.RawIOBase):
    """A binary sink that keeps what is written and refuses more than ``most`` lines."""

    def __init__(self, most: int) -> None:
        self.most, self.lines, self.over = most, 0, False
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self.lines += chunk.count(b"\n")
        if self.lines > self.most:
            self.over = True
            raise ValueError("too many rows")
        self.chunks.append(chunk)
        return len(chunk)
