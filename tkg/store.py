"""The read side: the interface the service queries, and its embedded implementation.

The Flask app only sees :class:`GraphStore`. :class:`EmbeddedStore` wraps the
built pyoxigraph store opened read-only; a remote SPARQL endpoint can stand
behind the same interface. The default graph is the union of the named graphs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .formats import ResultKind, result_formats
from .storage import Manifest, open_store_dir

Kind = ResultKind
#: Variable name (without ``?``) to the RDF term it is bound to.
Substitutions = Mapping[str, "ox.NamedNode | ox.Literal"]

#: Media types each kind of result can be written as, first is the default (from the registry).
RESULT_FORMATS = result_formats()


class QuerySyntaxError(ValueError):
    """The query does not parse; the message carries the parser's line and column."""


class ResultTooLarge(Exception):
    """The result has more rows (or triples) than the cap allows."""


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

    def serialize(self, media_type: str, max_rows: int | None = None) -> bytes:
        """Write the result as ``media_type``; over ``max_rows`` rows raise :class:`ResultTooLarge`."""
        fmt = RESULT_FORMATS[self.kind][media_type]
        if max_rows is None or self.kind == "boolean":
            return self._raw.serialize(format=fmt)
        if self.kind == "graph":
            return ox.serialize(_capped(self._raw, max_rows, "triples"), format=fmt)
        return _capped_solutions(self._raw, max_rows).serialize(format=fmt)

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

    def query(
        self,
        sparql: str,
        dataset: Dataset | None = None,
        base_iri: str | None = None,
        substitutions: Substitutions | None = None,
    ) -> Result: ...


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

    def query(
        self,
        sparql: str,
        dataset: Dataset | None = None,
        base_iri: str | None = None,
        substitutions: Substitutions | None = None,
    ) -> Result:
        """Run a query; relative IRIs resolve against ``base_iri`` (the endpoint, for the protocol).

        ``substitutions`` binds variables to RDF terms before evaluation (SEP-0007):
        how canned queries take parameters without pasting text into the query.
        """
        kwargs: dict = {"use_default_graph_as_union": True}
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


def _capped(items: Iterator, max_rows: int, what: str) -> list:
    capped = []
    for count, item in enumerate(items, start=1):
        if count > max_rows:
            raise ResultTooLarge(f"more than {max_rows} result {what}; add a LIMIT")
        capped.append(item)
    return capped


def _capped_solutions(solutions: ox.QuerySolutions, max_rows: int) -> ox.QuerySolutions:
    """At most ``max_rows`` solutions, re-readable by any of pyoxigraph's serializers.

    The rows are written as TSV (whose terms are exactly pyoxigraph's ``str``)
    and parsed back, so that pyoxigraph itself writes every format.
    """
    variables = solutions.variables
    lines = ["\t".join(str(v) for v in variables)]
    for row in _capped(solutions, max_rows, "rows"):
        lines.append("\t".join("" if row[v] is None else str(row[v]) for v in variables))
    tsv = ("\n".join(lines) + "\n").encode()
    return ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
