"""What the pictures draw, read from the graph through the read path (time budget and caps apply)."""

from __future__ import annotations

import pyoxigraph as ox

from tkg.canned import load_all
from tkg.namespaces import ID
from tkg.reads import one, value

from ..context import reader
from ..linked_data import lineage as cached_lineage
from ..urls import urls
from . import family_tree, positions, timeline


def _text(row: dict, name: str) -> str:
    return value(row, name) or ""


def label_of(iri: str) -> tuple[str | None, bool]:
    """The English label of a resource (None if unknown to the graph), and whether it is an organisation."""
    rows = reader().select("label", iri=ox.NamedNode(iri))
    label, organisation = one(rows, "label"), one(rows, "organisation")
    if not isinstance(label, ox.Literal):
        return None, False
    return label.value, organisation is not None


def org_iri(slug: str) -> str:
    return f"{ID}org/{slug}"


def family_tree_svg(iri: str) -> str:
    """The family tree of one organisation, from the lineage model resource pages use too."""
    lineage = cached_lineage()
    labels = {**lineage.labels, iri: lineage.label(iri) or label_of(iri)[0] or iri}
    steps = lineage.family(iri)
    nodes = {iri, *(s.parent for s in steps), *(s.child for s in steps)}
    links = {node: path for node in nodes if (path := urls().local(node))}
    return family_tree.render(iri, labels, steps, links)


def timeline_svg(first: int, last: int) -> str:
    query = load_all()["timeline"]
    rows = reader().rows(query.text, query.bind({"from": str(first), "to": str(last)}))
    events, seen = [], set()
    for row in rows:
        iri = _text(row, "event")
        if iri in seen:
            continue
        seen.add(iri)
        events.append(timeline.Event(iri, _text(row, "eventLabel"), _text(row, "kind"), _text(row, "date")))
    links = {e.iri: path for e in events if (path := urls().local(e.iri))}
    return timeline.render(events, links, f"Events from {first} to {last}")


def positions_svg() -> str:
    stances = [
        positions.Stance(
            _text(r, "stance"),
            _text(r, "holder"),
            _text(r, "holderLabel"),
            _text(r, "position"),
            _text(r, "positionLabel"),
            value(r, "date"),
            value(r, "from"),
            value(r, "until"),
        )
        for r in reader().select("stance-chart")
    ]
    concepts = [(_text(r, "position"), _text(r, "label")) for r in reader().select("positions")]
    used = {s.position for s in stances}
    concepts = [c for c in concepts if c[0] in used] + [c for c in concepts if c[0] not in used]
    links = {s.iri: path for s in stances if (path := urls().local(s.iri))}
    return positions.render(stances, concepts, links)
