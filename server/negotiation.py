"""Content negotiation: pick a media type from ``Accept`` (q-values honoured) or ``format``."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import MIMEAccept

#: Short names accepted by the ``format`` parameter, for links that cannot set headers.
FORMAT_ALIASES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "html": "text/html",
    "trig": "application/trig",
    "nq": "application/n-quads",
    # Turtle is N3 too: clients asking for N3 (SPARQLWrapper's N3) get Turtle.
    "n3": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
}

#: Graph-result aliases for the tabular short names (``format=json`` on a CONSTRUCT).
GRAPH_EQUIVALENTS = {
    "application/sparql-results+json": "application/ld+json",
    "application/sparql-results+xml": "application/rdf+xml",
    "application/json": "application/ld+json",
}


def choose(accept: MIMEAccept, offered: Iterable[str], format_param: str | None) -> str | None:
    """The media type to answer with, or ``None`` if nothing offered is acceptable."""
    offered = list(offered)
    if format_param:
        wanted = FORMAT_ALIASES.get(format_param.lower(), format_param.lower())
        if wanted not in offered:
            wanted = GRAPH_EQUIVALENTS.get(wanted, wanted)
        return wanted if wanted in offered else None
    if not accept:
        return offered[0]
    # werkzeug's best_match honours q-values and wildcards; ties go to our order.
    best = accept.best_match(offered)
    if best is None and "application/json" in accept:
        return next((t for t in offered if t.endswith("json")), None)
    return best
