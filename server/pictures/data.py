"""What the pictures draw, read from the graph through the read path (time budget and caps apply)."""

from __future__ import annotations

import pyoxigraph as ox

from tkg.canned import load_all
from tkg.namespaces import ID
from tkg.reads import one, value

from ..context import reader
from ..results import local_path
from . import family_tree, positions, timeline


def _text(row: dict, name: str) -> str:
    return value(row, name) or ""


def label_of(iri: str) -> tuple[str | None, bool]:
    """The English label of a resource (None if unknown to the graph), and whether it is an organisation."""
    rows = reader().select("label", iri=ox.NamedNode(iri))
    label, organisation = one(rows, "label"), one(rows, "organisation")
    if not isinstance(label, ox.Literal):
        return None, False
    return label.value, isinstance(organisation, ox.Literal) and organisation.value == "true"


def org_iri(slug: str) -> str:
    return f"{ID}org/{slug}"


def family_tree_svg(iri: str) -> str:
    """The family tree of one organisation, from the ``ancestors`` and ``descendants`` canned queries."""
    queries = load_all()
    labels = {iri: label_of(iri)[0] or iri}
    steps = []
    for name in ("ancestors", "descendants"):
        query = queries[name]
        for row in reader().rows(query.text, query.bind({"org": iri})):
            parent, child = _text(row, "ancestor"), _text(row, "derivative")
            labels[parent], labels[child] = _text(row, "ancestorLabel"), _text(row, "derivativeLabel")
            steps.append(
                family_tree.Step(
                    parent,
                    child,
                    _text(row, "kind"),
                    _text(row, "event"),
                    _text(row, "eventLabel"),
                    value(row, "date"),
                )
            )
    unique = {(s.parent, s.child, s.event): s for s in steps}
    links = {node: path for node in labels if (path := local_path(node))}
    return family_tree.render(iri, labels, list(unique.values()), links)


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
    links = {e.iri: path for e in events if (path := local_path(e.iri))}
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
    links = {s.iri: path for s in stances if (path := local_path(s.iri))}
    return positions.render(stances, concepts, links)
