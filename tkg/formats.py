"""Every output format the service speaks, each described once.

A :class:`Format` says what a format is (media type, file extension, the short
names ``format=`` accepts), how to write it (pyoxigraph's format, rdflib's
name where rdflib writes it), and what it can carry: ``bindings`` and
``boolean`` (SPARQL results), ``graph`` (triples) or ``dataset`` (quads).
Content negotiation, the endpoint, resource documents, dumps, the service
description, VoID, OpenAPI, the canned API and the CLI all read this table, so
a new format is one entry here (and its test).

>>> by_name("ttl").media_type
'text/turtle'
>>> [f.extension for f in carrying("bindings")]
['json', 'xml', 'csv', 'tsv']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from .namespaces import PREFIXES

ResultKind = Literal["bindings", "boolean", "graph"]
Kind = Literal["bindings", "boolean", "graph", "dataset"]
#: The W3C's IRIs for formats (``sd:resultFormat``, ``void:feature``).
W3C_FORMATS = "http://www.w3.org/ns/formats/"

RESULTS: frozenset[Kind] = frozenset({"bindings", "boolean"})


@dataclass(frozen=True)
class Format:
    """One format: what it is called, how it is written, what it can carry."""

    name: str
    media_type: str
    extension: str
    title: str
    #: Short names (and other media types) that ``format=`` or ``Accept`` may use for it.
    aliases: tuple[str, ...] = ()
    kinds: frozenset[Kind] = frozenset()
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat | None = None
    #: The name rdflib's ``Graph.serialize`` knows it by (for the documents rdflib builds).
    rdflib: str | None = None
    #: Its name under ``http://www.w3.org/ns/formats/``.
    w3c: str | None = None
    #: The graph format a client means when it asks a graph result in this tabular format.
    graph_twin: str | None = None
    #: Whether a writer takes ``prefixes=`` (Turtle-like syntaxes).
    prefixes: bool = False

    @property
    def w3c_iri(self) -> str | None:
        return W3C_FORMATS + self.w3c if self.w3c else None

    def carries(self, kind: Kind) -> bool:
        return kind in self.kinds


#: In order of preference: the first format of a kind is its default.
FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "application/sparql-results+json",
        "json",
        "SPARQL results in JSON",
        ("json", "srj"),
        RESULTS,
        ox.QueryResultsFormat.JSON,
        w3c="SPARQL_Results_JSON",
        graph_twin="application/ld+json",
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        "xml",
        "SPARQL results in XML",
        ("xml", "srx"),
        RESULTS,
        ox.QueryResultsFormat.XML,
        w3c="SPARQL_Results_XML",
        graph_twin="application/rdf+xml",
    ),
    Format(
        "csv",
        "text/csv",
        "csv",
        "CSV",
        ("csv",),
        RESULTS,
        ox.QueryResultsFormat.CSV,
        w3c="SPARQL_Results_CSV",
    ),
    Format(
        "tsv",
        "text/tab-separated-values",
        "tsv",
        "TSV",
        ("tsv",),
        RESULTS,
        ox.QueryResultsFormat.TSV,
        w3c="SPARQL_Results_TSV",
    ),
    Format(
        "turtle",
        "text/turtle",
        "ttl",
        "Turtle",
        # Turtle is N3 too: clients asking for N3 (SPARQLWrapper's N3) get Turtle.
        ("turtle", "ttl", "n3", "text/n3", "text/rdf+n3"),
        frozenset({"graph"}),
        ox.RdfFormat.TURTLE,
        rdflib="turtle",
        w3c="Turtle",
        prefixes=True,
    ),
    Format(
        "ntriples",
        "application/n-triples",
        "nt",
        "N-Triples",
        ("nt", "ntriples"),
        frozenset({"graph"}),
        ox.RdfFormat.N_TRIPLES,
        rdflib="nt",
        w3c="N-Triples",
    ),
    Format(
        "jsonld",
        "application/ld+json",
        "jsonld",
        "JSON-LD",
        ("jsonld", "json-ld", "application/json"),
        frozenset({"graph", "dataset"}),
        ox.RdfFormat.JSON_LD,
        rdflib="json-ld",
        w3c="JSON-LD",
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        "RDF/XML",
        ("rdf", "rdfxml", "rdf+xml"),
        frozenset({"graph"}),
        ox.RdfFormat.RDF_XML,
        rdflib="xml",
        w3c="RDF_XML",
        prefixes=True,
    ),
    Format(
        "trig",
        "application/trig",
        "trig",
        "TriG (named graphs)",
        ("trig",),
        frozenset({"dataset"}),
        ox.RdfFormat.TRIG,
        w3c="TriG",
        prefixes=True,
    ),
    Format(
        "nquads",
        "application/n-quads",
        "nq",
        "N-Quads (named graphs)",
        ("nq", "nquads"),
        frozenset({"dataset"}),
        ox.RdfFormat.N_QUADS,
        w3c="N-Quads",
    ),
    Format("html", "text/html", "html", "HTML", ("html", "application/xhtml+xml")),
)

_BY_MEDIA = {f.media_type: f for f in FORMATS}
_BY_EXTENSION = {f.extension: f for f in FORMATS}
_BY_NAME: dict[str, Format] = {}
for _format in FORMATS:
    for _key in (_format.media_type, _format.name, _format.extension, *_format.aliases):
        _BY_NAME.setdefault(_key, _format)

HTML = _BY_NAME["html"]
#: What the app's own SELECTs are read back as.
SPARQL_JSON = _BY_NAME["json"]
#: The media types a browser may ask a page as.
HTML_TYPES = ("text/html", "application/xhtml+xml")


def by_media_type(media_type: str) -> Format | None:
    """The format of a media type (parameters such as ``charset`` ignored)."""
    return _BY_MEDIA.get(media_type.split(";", 1)[0].strip().lower())


def of(media_type: str) -> Format:
    """The format of a media type this service offers (``KeyError`` for any other: a bug, not input)."""
    found = by_name(media_type)
    if found is None:
        raise KeyError(media_type)
    return found


def by_extension(extension: str) -> Format | None:
    return _BY_EXTENSION.get(extension.lower())


def by_name(name: str) -> Format | None:
    """The format a ``format=`` value names: a short name, an alias, an extension or a media type.

    >>> by_name("n3").name, by_name("JSON-LD").name, by_name("text/csv").name
    ('turtle', 'jsonld', 'csv')
    """
    return _BY_NAME.get(name.strip().lower())


def carrying(kind: Kind) -> list[Format]:
    """Every format that can carry a result of ``kind``, the default first."""
    return [f for f in FORMATS if f.carries(kind)]


def media_types(kind: Kind) -> list[str]:
    return [f.media_type for f in carrying(kind)]


def result_formats() -> dict[ResultKind, dict[str, ox.QueryResultsFormat | ox.RdfFormat]]:
    """What a query's answer can be written as, per kind of result: media type to pyoxigraph format."""
    kinds: tuple[ResultKind, ...] = ("bindings", "boolean", "graph")
    return {k: {f.media_type: f.oxigraph for f in carrying(k) if f.oxigraph is not None} for k in kinds}


def rdf_documents() -> list[Format]:
    """The formats a description (a resource, the ontology) is offered in: every graph or dataset format."""
    return [f for f in FORMATS if f.kinds & {"graph", "dataset"}]


def rdflib_names() -> dict[str, str]:
    """Media type to rdflib's name for the documents rdflib writes (service description, VoID)."""
    return {f.media_type: f.rdflib for f in FORMATS if f.rdflib}


def endpoint_formats() -> list[Format]:
    """Every format a SPARQL answer can be written in (the service description's ``sd:resultFormat``)."""
    return [f for f in FORMATS if f.kinds & {"bindings", "boolean", "graph"}]


def write_rdf(fmt: Format, items: Iterable[ox.Triple] | Iterable[ox.Quad]) -> bytes:
    """``items`` written in ``fmt``, with the project's prefixes where the syntax has them."""
    assert isinstance(fmt.oxigraph, ox.RdfFormat), fmt.name
    body = ox.serialize(items, format=fmt.oxigraph, prefixes=PREFIXES if fmt.prefixes else None)
    assert body is not None  # no output file given: the bytes come back
    return body


def short_names(formats: list[Format]) -> str:
    """``json|csv|…``: the ``format=`` values of ``formats``, for messages."""
    return "|".join(f.name for f in formats)
