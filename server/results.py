"""SELECT results for people: rows of cells whose IRIs are links with labels.

Canned queries follow the Wikidata convention: a column ``?x`` holding an IRI
may come with ``?xLabel``; the table then shows one column, the label linked
to the IRI. Columns of the query's parameters (``?_org_iri``) are not shown:
the form above the table shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from tkg.namespaces import PREFIXES, XSD
from tkg.store import Rows, Term

from .urls import urls


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]


def compact(iri: str) -> str:
    """A prefixed name for an IRI when a known prefix fits (``org:crfi``), else the IRI."""
    best = max((p for p in PREFIXES.items() if iri.startswith(p[1])), key=lambda p: len(p[1]), default=None)
    if best and iri[len(best[1]) :] and "/" not in iri[len(best[1]) :]:
        return f"{best[0]}:{iri[len(best[1]) :]}"
    return iri


def cell(term: Term | None, label: Term | None = None) -> Cell:
    """One table cell: an IRI as a link titled with the IRI, a literal with its datatype as title."""
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        text = label.value if isinstance(label, ox.NamedNode | ox.Literal) else compact(term.value)
        return Cell(text, href=urls().href(term.value), title=term.value)
    if isinstance(term, ox.BlankNode):
        return Cell("_:" + term.value)
    if isinstance(term, ox.Triple):
        return Cell(str(term))
    datatype = "" if term.language else term.datatype.value
    return Cell(term.value, title=compact(datatype) if datatype and datatype != XSD + "string" else None)


def table(rows: Rows) -> Table:
    """Columns and cells to show: labelled IRIs merged, parameter columns left out."""
    variables = list(rows.variables)
    labelled = {v for v in variables if v + "Label" in variables}
    shown = [
        v for v in variables if not v.startswith("_") and not (v.endswith("Label") and v[:-5] in labelled)
    ]
    cells = [
        [cell(row.get(v), row.get(v + "Label") if v in labelled else None) for v in shown] for row in rows
    ]
    return Table(shown, cells)
