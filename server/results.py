"""SELECT results for people: rows of cells whose IRIs are links with labels.

Canned queries follow the Wikidata convention: a column ``?x`` holding an IRI
may come with ``?xLabel``; the table then shows one column, the label linked
to the IRI. Columns of the query's parameters (``?_org_iri``) are not shown:
the form above the table shows them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from tkg import formats
from tkg.namespaces import PREFIXES
from tkg.store import Dataset, Substitutions

from .context import executor
from .urls import urls

JSON = formats.SPARQL_JSON.media_type
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]


def select(query: str, substitutions: Substitutions | None = None) -> tuple[list[str], list[dict]]:
    """Run a SELECT through the executor (time budget, caps); its variables and JSON bindings."""
    answer = executor().run(
        query, Dataset(), {"bindings": JSON, "boolean": JSON}, substitutions=substitutions
    )
    data = json.loads(answer.body)
    return data["head"].get("vars", []), data.get("results", {}).get("bindings", [])


def compact(iri: str) -> str:
    """A prefixed name for an IRI when a known prefix fits (``org:crfi``), else the IRI."""
    best = max((p for p in PREFIXES.items() if iri.startswith(p[1])), key=lambda p: len(p[1]), default=None)
    if best and iri[len(best[1]) :] and "/" not in iri[len(best[1]) :]:
        return f"{best[0]}:{iri[len(best[1]) :]}"
    return iri


def cell(term: Mapping | None, label: Mapping | None = None) -> Cell:
    if term is None:
        return Cell("")
    value = term["value"]
    if term["type"] == "uri":
        text = label["value"] if label else compact(value)
        return Cell(text, href=urls().href(value), title=value)
    if term["type"] == "bnode":
        return Cell("_:" + value)
    datatype = term.get("datatype", "")
    return Cell(value, title=compact(datatype) if datatype and datatype != XSD + "string" else None)


def table(variables: list[str], bindings: list[dict]) -> Table:
    """Columns and cells to show: labelled IRIs merged, parameter columns left out."""
    labelled = {v for v in variables if v + "Label" in variables}
    shown = [
        v for v in variables if not v.startswith("_") and not (v.endswith("Label") and v[:-5] in labelled)
    ]
    rows = [
        [cell(row.get(v), row.get(v + "Label") if v in labelled else None) for v in shown] for row in bindings
    ]
    return Table(shown, rows)
