"""RDF documents: the formats a description is offered in (from the registry) and writing them."""

from __future__ import annotations

import pyoxigraph as ox

from tkg import formats

#: Extension -> format of every RDF document; the first graph format is the RDF default.
EXTENSIONS: dict[str, formats.Format] = {f.extension: f for f in formats.rdf_documents()}
#: What a dereferenced IRI offers, HTML first: a browser's ``*/*`` gets the page.
OFFERED = [*formats.HTML_TYPES, *(f.media_type for f in EXTENSIONS.values())]


def extension_for(media_type: str) -> str:
    return formats.of(media_type).extension  # an OFFERED type: HTML (or XHTML) or an RDF format


def title(ext: str) -> str:
    found = formats.by_extension(ext)
    return found.title if found else ext


def serialize(ext: str, triples: list[ox.Triple], quads: list[ox.Quad]) -> tuple[bytes, str]:
    """The document in format ``ext`` and its Content-Type.

    Every format carries the description in its default graph: a Linked Data client (Comunica,
    which asks for N-Quads first) queries a dereferenced document's default graph. The
    dataset-only formats (TriG, N-Quads) add the asserted/inferred split alongside, as the
    ``quads`` in their named graphs.
    """
    fmt = EXTENSIONS[ext]
    if "graph" in fmt.kinds:
        body = formats.write_rdf(fmt, triples)
    else:
        default = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        body = formats.write_rdf(fmt, [*default, *quads])
    return body, f"{fmt.media_type}; charset=utf-8"
