"""The JSON-LD a resource page embeds for search engines, in schema.org terms where they fit.

Search engines read schema.org, not the tkg ontology, so each page carries a
small schema.org view of its resource: its canonical IRI as ``@id``, names,
dates and the organisations and people it links to. The full description in
tkg terms is one link away (``.jsonld``).
"""

from __future__ import annotations

from typing import Any

from tkg.describe import Description
from tkg.namespaces import TKG

from .resource_view import Page
from .urls import urls

TYPES = {
    "org": "Organization",
    "person": "Person",
    "event": "Event",
    "position": "DefinedTerm",
    "source": "Article",
    "periodical": "Periodical",
    "place": "Place",
    "country": "Country",
    "stance": "Claim",
    "claim": "Claim",
    "evidence": "Quotation",
}
#: tkg predicate -> (schema.org property, whether the value is a date or a node)
PROPERTIES = {
    "founded": ("foundingDate", "date"),
    "dissolved": ("dissolutionDate", "date"),
    "date": ("startDate", "date"),
    "country": ("location", "node"),
    "place": ("location", "node"),
    "founder": ("founder", "node"),
    "sectionOf": ("parentOrganization", "node"),
    "factionOf": ("parentOrganization", "node"),
    "hasSection": ("subOrganization", "node"),
    "hasFaction": ("subOrganization", "node"),
    "participant": ("attendee", "node"),
    "publishes": ("publishingPrinciples", "node"),
}
ORG_MEMBER_OF = "http://www.w3.org/ns/org#memberOf"


def json_ld(page: Page, description: Description) -> dict[str, Any]:
    """A schema.org JSON-LD object for the page (rendered with Jinja's ``tojson``, which escapes it)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": TYPES.get(page.kind, "Thing"),
        "@id": page.iri,
        "url": urls().here(),
        "name": page.label,
        "mainEntityOfPage": urls().here(),
    }
    others = sorted({n for n, _, kind in page.names if n != page.label})
    if others:
        data["alternateName"] = others
    for row in page.rows:
        iri = row.predicate.iri
        name = iri[len(str(TKG)) :] if iri.startswith(str(TKG)) else None
        if iri == ORG_MEMBER_OF:
            key, how = "memberOf", "node"
        elif name in PROPERTIES:
            key, how = PROPERTIES[name]
        else:
            continue
        for value in row.values:
            item: Any = (
                value.literal.value
                if how == "date" and value.literal is not None
                else {"@id": value.link.iri, "name": value.link.label}
                if value.link
                else None
            )
            if item is not None:
                data.setdefault(key, []).append(item)
    for key, values in list(data.items()):
        if isinstance(values, list) and len(values) == 1:
            data[key] = values[0]
    if page.kind == "evidence" and page.quotes == [] and description.statements:
        text = next(
            (s.object.value for s in description.statements if s.predicate.value.endswith("#exact")), None
        )
        if text:
            data["text"] = text
    citations = sorted({q.source.iri for q in page.quotes if q.source})
    if citations:
        data["citation"] = [{"@id": c} for c in citations]
    return data
