"""RDF documents: the media types a description is offered in, their file extensions, and writing them."""

from __future__ import annotations

import pyoxigraph as ox

from tkg.namespaces import PREFIXES

#: Extension -> (media type, pyoxigraph format); the first graph format is the RDF default.
EXTENSIONS: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
}
BY_MEDIA_TYPE = {media: ext for ext, (media, _) in EXTENSIONS.items()}
#: What a dereferenced IRI offers, HTML first: a browser's ``*/*`` gets the page.
OFFERED = ["text/html", "application/xhtml+xml", *BY_MEDIA_TYPE]
TITLES = {
    "html": "HTML",
    "ttl": "Turtle",
    "jsonld": "JSON-LD",
    "nt": "N-Triples",
    "rdf": "RDF/XML",
    "trig": "TriG (named graphs)",
    "nq": "N-Quads (named graphs)",
}


def extension_for(media_type: str) -> str:
    return "html" if media_type in ("text/html", "application/xhtml+xml") else BY_MEDIA_TYPE[media_type]


def serialize(ext: str, triples: list[ox.Triple], quads: list[ox.Quad]) -> tuple[bytes, str]:
    """The document in format ``ext`` (quads for the dataset formats) and its Content-Type."""
    media_type, fmt = EXTENSIONS[ext]
    items = quads if fmt.supports_datasets and ext != "jsonld" else triples
    kwargs = (
        {"prefixes": PREFIXES}
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
        else {}
    )
    body = ox.serialize(items, format=fmt, **kwargs)
    return body, f"{media_type}; charset=utf-8"
