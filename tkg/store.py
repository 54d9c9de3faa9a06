"""The read side: the interface the service queries, and its embedded implementation.

The Flask app only sees :class:`GraphStore`. :class:`EmbeddedStore` wraps the
built pyoxigraph store opened read-only; a remote SPARQL endpoint can stand
behind the same interface. The default graph is the union of the named graphs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import pyoxigraph as ox

from .storage import Manifest, open_store_dir

Kind = Literal["bindings", "boolean", "graph"]

#: Media types each kind of result can be written as, first is the default.
RESULT_FORMATS: dict[Kind, dict[str, ox.QueryResultsFormat | ox.RdfFormat]] = {
    "bindings": {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/csv": ox.QueryResultsFormat.CSV,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    },
    "graph": {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/ld+json": ox.RdfFormat.JSON_LD,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
    },
}
RESULT_FORMATS["boolean"] = RESULT_FORMATS["bindings"]


class QuerySyntaxError(ValueError):
    """The query does not parse; the message carries the parser's line and column."""


@dataclass(frozen=True)
class Dataset:
    """An explicit RDF dataset for a query (SPARQL protocol ``default-graph-uri`` etc.)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class Result:
    """One query's answer, ready to be written in any format its kind allows."""

    def __init__(self, kind: Kind, raw: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> None:
        self.kind = kind
        self._raw = raw

    def serialize(self, media_type: str) -> bytes:
        fmt = RESULT_FORMATS[self.kind][media_type]
        return self._raw.serialize(format=fmt)

    @property
    def boolean(self) -> bool:
        """The answer of an ASK query."""
        return bool(self._raw)

    def solutions(self) -> Iterator[ox.QuerySolution]:
        """The rows of a SELECT query (consumes the result)."""
        if self.kind != "bindings":
            raise TypeError(f"a {self.kind} result has no solutions")
        return iter(self._raw)


class GraphStore(Protocol):
    """What the service needs from a store."""

    @property
    def version(self) -> str: ...

    @property
    def manifest(self) -> Manifest: ...

    def query(self, sparql: str, dataset: Dataset | None = None) -> Result: ...


class EmbeddedStore:
    """The built pyoxigraph store, opened read-only."""

    def __init__(self, path: Path) -> None:
        self._store, self._manifest, self.directory = open_store_dir(path)

    @property
    def version(self) -> str:
        return self._manifest.version

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    def query(self, sparql: str, dataset: Dataset | None = None) -> Result:
        kwargs: dict = {"use_default_graph_as_union": True}
        if dataset and dataset.default_graphs:
            kwargs = {"default_graph": [ox.NamedNode(g) for g in dataset.default_graphs]}
        if dataset and dataset.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
        try:
            raw = self._store.query(sparql, **kwargs)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        if isinstance(raw, ox.QuerySolutions):
            return Result("bindings", raw)
        if isinstance(raw, ox.QueryTriples):
            return Result("graph", raw)
        return Result("boolean", raw)
