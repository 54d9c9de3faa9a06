"""Content negotiation: pick a media type from ``Accept`` (q-values honoured) or ``format``.

The short names ``format=`` takes are those of the format registry (:mod:`tkg.formats`).
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import MIMEAccept

from tkg import formats


def rdf_or_page(rdf: list[str]) -> list[str]:
    """What an RDF document with an HTML view offers: its first RDF format to a client that sends no
    ``Accept``, the page to a browser (whose ``*/*`` ranks below ``text/html``).
    """
    return [rdf[0], formats.HTML.media_type, *rdf[1:]]


def page_or_json(accept: MIMEAccept, format_param: str | None) -> str | None:
    """For lists that are a page or plain JSON (search, dumps): ``format=json`` is ``application/json``."""
    wanted = "application/json" if format_param in ("json", "application/json") else format_param
    return choose(accept, [formats.HTML.media_type, "application/json"], wanted)


def from_format_param(value: str, offered: list[str]) -> str | None:
    """The offered media type that ``format=value`` names, or ``None``.

    A tabular short name asked of a graph result means its graph twin
    (``format=json`` on a CONSTRUCT is JSON-LD).
    """
    wanted = value.strip().lower()
    if wanted in offered:
        return wanted
    found = formats.by_name(wanted)
    if found is None:
        return None
    if found.media_type in offered:
        return found.media_type
    return found.graph_twin if found.graph_twin in offered else None


def choose(accept: MIMEAccept, offered: Iterable[str], format_param: str | None) -> str | None:
    """The media type to answer with, or ``None`` if nothing offered is acceptable."""
    offered = list(offered)
    if format_param:
        return from_format_param(format_param, offered)
    if not accept:
        return offered[0]
    # werkzeug's best_match honours q-values and wildcards; ties go to our order.
    best = accept.best_match(offered)
    if best is None and "application/json" in accept:
        return next((t for t in offered if t.endswith("json")), None)
    return best
