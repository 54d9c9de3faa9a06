"""What a resource page shows, assembled from the resource's description and a few focused queries.

The generic part (names, types, every statement with its evidence, inferred
statements marked) serves every kind of resource. Sections a historian reads
first are added where they apply: the events a resource took part in, in time
order, with the organisations before and after; an organisation's lineage with
the chain of events behind each inferred link; stances on the USSR; and, for
an article, every quote taken from it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from tkg.describe import Description, Statement, labels, local_name
from tkg.lineage import Lineage, Step
from tkg.namespaces import DCTERMS, ID, OA, RDF, RDFS, SKOS, TKG
from tkg.reads import Reader, value

from .urls import href

NAME_PREDICATES = {RDFS + "label": "name", SKOS + "prefLabel": "name", SKOS + "altLabel": "other name"}
#: Shown in their own sections, not in the statement table.
SECTIONED = {RDF + "type", str(TKG) + "evidence", *NAME_PREDICATES}
#: A claim's links to the triple it reifies: shown as the claim, not as incoming statements.
REIFICATION = {RDF + "subject", RDF + "predicate", RDF + "object"}
CLAIM = f"{ID}claim/"
#: Statement rows first in this order, then the rest by label.
ORDER = [
    str(TKG) + p
    for p in [
        "date",
        "founded",
        "dissolved",
        "country",
        "place",
        "sectionOf",
        "hasSection",
        "factionOf",
        "hasFaction",
        "leader",
        "founder",
        "participant",
        "expelled",
        "hostOrganisation",
        "involves",
        "holder",
        "position",
        "from",
        "until",
        "publishes",
        "derivedFrom",
        "hasDerivative",
        "descendsFrom",
        "ancestorOf",
    ]
]


@dataclass(frozen=True)
class Link:
    iri: str
    label: str

    @property
    def url(self) -> str:
        return href(self.iri)


@dataclass(frozen=True)
class Quote:
    text: str
    source: Link | None
    evidence: Link


@dataclass
class Value:
    link: Link | None = None
    literal: ox.Literal | None = None
    inferred: bool = False
    quotes: list[Quote] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.link.label if self.link else self.literal.value if self.literal else ""


@dataclass
class Row:
    predicate: Link
    values: list[Value]


@dataclass
class EventItem:
    link: Link
    date: str | None
    kind: str | None
    roles: list[str]
    before: list[Link]
    after: list[Link]
    quotes: list[Quote]


@dataclass
class Ancestry:
    """An ancestor or descendant, and the chain of events that makes it one."""

    link: Link
    one_step: bool
    chain: list[tuple[Link, Link, Link, str | None]]  # (from, event, to, date)


@dataclass
class StanceItem:
    link: Link
    holder: Link
    position: Link
    when: str
    quotes: list[Quote]


@dataclass
class Page:
    iri: str
    kind: str
    label: str
    names: list[tuple[str, str | None, str]]
    types: list[Link]
    rows: list[Row]
    incoming: list[Row]
    quotes: list[Quote]
    claims: list[tuple[Link, Link, Value, list[Quote]]]
    events: list[EventItem] = field(default_factory=list)
    ancestors: list[Ancestry] = field(default_factory=list)
    descendants: list[Ancestry] = field(default_factory=list)
    stances: list[StanceItem] = field(default_factory=list)
    source_quotes: list[tuple[Quote, list[Link]]] = field(default_factory=list)
    is_organisation: bool = False


def build_page(store: Reader, description: Description, lineage: Lineage, inverses: dict[str, str]) -> Page:
    """The page of a described resource."""
    iri = description.iri
    me = ox.NamedNode(iri)
    kind = iri[len(ID) :].split("/", 1)[0] if iri.startswith(ID) else "term"
    link = _linker(description)
    quotes = _quotes(description, link)
    own = [s for s in description.statements if s.subject == me]
    names = sorted(
        {
            (s.object.value, s.object.language, NAME_PREDICATES[s.predicate.value])
            for s in own
            if s.predicate.value in NAME_PREDICATES and isinstance(s.object, ox.Literal)
        },
        key=lambda n: (n[2] != "name", n[1] != "en", n[1] or "", n[0]),
    )
    types = sorted(
        {link(s.object.value) for s in own if s.predicate.value == RDF + "type" and not s.inferred},
        key=lambda t: t.label,
    ) or sorted(
        {link(s.object.value) for s in own if s.predicate.value == RDF + "type"}, key=lambda t: t.label
    )
    claims = _claims(description)
    page = Page(
        iri=iri,
        kind=kind,
        label=description.label(iri),
        names=names,
        types=types,
        rows=_rows(own, link, quotes, claims, inverses, outgoing=True),
        incoming=_rows(
            [
                s
                for s in description.statements
                if s.object == me
                and isinstance(s.subject, ox.NamedNode)
                and s.predicate.value not in SECTIONED
                and s.predicate.value not in REIFICATION
            ],
            link,
            quotes,
            claims,
            inverses,
            outgoing=False,
        ),
        quotes=[
            q
            for s in own
            if s.predicate.value == str(TKG) + "evidence"
            for q in quotes.get(s.object.value, [])
        ],
        claims=_claim_list(description, claims, link, quotes),
    )
    page.is_organisation = any(
        s.predicate.value == RDF + "type" and s.object.value == str(TKG) + "Organisation" for s in own
    )
    page.events = events(store, iri)
    if page.is_organisation:
        page.ancestors, page.descendants = _lineage(description, lineage, store)
    if kind in ("org", "person"):
        page.stances = stances(store, holder=iri)
    elif kind == "position":
        page.stances = stances(store, position=iri)
    elif kind == "source":
        page.source_quotes = source_quotes(store, iri)
    return page


def _linker(description: Description):
    def link(iri: str) -> Link:
        return Link(iri, description.labels.get(iri) or local_name(iri))

    return link


def _quotes(description: Description, link) -> dict[str, list[Quote]]:
    """Each evidence IRI of the description, as a quote with its article."""
    exact: dict[str, str] = {}
    source: dict[str, str] = {}
    for s in description.statements:
        if s.predicate.value == OA + "exact":
            exact[s.subject.value] = s.object.value
        elif s.predicate.value == DCTERMS + "source" and isinstance(s.subject, ox.NamedNode):
            source[s.subject.value] = s.object.value
    return {
        e: [Quote(text, link(source[e]) if e in source else None, Link(e, _shorten(text)))]
        for e, text in exact.items()
    }


def _claims(description: Description) -> dict[tuple[str, str, str], list[str]]:
    """Reified claims: (subject, predicate, object) -> the evidence IRIs given for it."""
    parts: dict[str, dict[str, str]] = defaultdict(dict)
    evidence: dict[str, list[str]] = defaultdict(list)
    for s in description.statements:
        if isinstance(s.subject, ox.BlankNode) or s.subject.value.startswith(CLAIM):
            if s.predicate.value in REIFICATION:
                parts[str(s.subject)][s.predicate.value[len(RDF) :]] = _key(s.object)
            elif s.predicate.value == str(TKG) + "evidence":
                evidence[str(s.subject)].append(s.object.value)
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for node, p in parts.items():
        if {"subject", "predicate", "object"} <= set(p):
            found[(p["subject"], p["predicate"], p["object"])].extend(evidence[node])
    return found


def _key(term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _claim_list(description, claims, link, quotes) -> list[tuple[Link, Link, Value, list[Quote]]]:
    result = []
    for (s, p, o), evidence in sorted(claims.items()):
        value = Value(link=link(o)) if o.startswith("http") else Value(literal=_literal(o))
        result.append((link(s), link(p), value, [q for e in evidence for q in quotes.get(e, [])]))
    return result


def _literal(text: str) -> ox.Literal:
    """A literal from its N-Triples form (as kept in claim keys)."""
    parsed = ox.parse(f"<x:s> <x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES)
    return next(iter(parsed)).object


def _rows(statements, link, quotes, claims, inverses, outgoing: bool) -> list[Row]:
    grouped: dict[str, dict[str, Value]] = defaultdict(dict)
    for s in statements:
        p = s.predicate.value
        if outgoing and p in SECTIONED:
            continue
        other = s.object if outgoing else s.subject
        if isinstance(other, ox.BlankNode):
            continue
        key = _key(other)
        value = grouped[p].get(key)
        if value is None:
            value = Value(link=link(other.value)) if isinstance(other, ox.NamedNode) else Value(literal=other)
            value.inferred = True
            value.quotes = _evidence_for(s, claims, inverses, quotes)
            grouped[p][key] = value
        value.inferred = value.inferred and s.inferred
    rank = {p: i for i, p in enumerate(ORDER)}
    rows = [
        Row(link(p), sorted(values.values(), key=lambda v: v.text.lower())) for p, values in grouped.items()
    ]
    rows.sort(key=lambda r: (rank.get(r.predicate.iri, len(rank)), r.predicate.label.lower()))
    return rows


def _evidence_for(s: Statement, claims, inverses, quotes) -> list[Quote]:
    p, subj, obj = s.predicate.value, _key(s.subject), _key(s.object)
    evidence = list(claims.get((subj, p, obj), []))
    if p in inverses:
        evidence += claims.get((obj, inverses[p], subj), [])
    return [q for e in evidence for q in quotes.get(e, [])]


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _lineage(description: Description, lineage: Lineage, store: Reader):
    iri = description.iri
    me = ox.NamedNode(iri)
    up = {
        s.object.value
        for s in description.statements
        if s.subject == me and s.predicate == _P("descendsFrom")
    }
    one = {
        s.object.value for s in description.statements if s.subject == me and s.predicate == _P("derivedFrom")
    }
    down = {
        s.subject.value
        for s in description.statements
        if s.object == me and s.predicate == _P("descendsFrom")
    }
    direct = {
        s.subject.value for s in description.statements if s.object == me and s.predicate == _P("derivedFrom")
    }
    chains = {a: lineage.chain(iri, a) for a in up} | {d: lineage.chain(d, iri) for d in down}
    mentioned = set(up | down)
    for chain in chains.values():
        for step in chain:
            mentioned.update((step.child, step.parent, step.event))
    names = labels(store, mentioned)

    def link(x: str) -> Link:
        return Link(x, names.get(x) or local_name(x))

    def ancestry(other: str, one_step: bool) -> Ancestry:
        steps: list[Step] = chains[other]
        return Ancestry(
            link(other), one_step, [(link(s.parent), link(s.event), link(s.child), s.date) for s in steps]
        )

    def first_date(a: Ancestry) -> str:
        return min((d for *_, d in a.chain if d), default="9999")

    ancestors = sorted((ancestry(a, a in one) for a in up), key=lambda a: (first_date(a), a.link.label))
    descendants = sorted(
        (ancestry(d, d in direct) for d in down), key=lambda a: (first_date(a), a.link.label)
    )
    return ancestors, descendants


def _P(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(TKG) + name)


def events(store: Reader, iri: str) -> list[EventItem]:
    """The events that name ``iri`` in any role, in time order (undated last)."""
    found: dict[str, dict] = {}
    for row in store.select("events", iri=ox.NamedNode(iri)):
        e = value(row, "e") or ""
        item = found.setdefault(
            e, {"date": None, "class": set(), "roles": set(), "before": set(), "after": set(), "quotes": {}}
        )
        item["roles"].add(value(row, "role"))
        date = value(row, "date")
        if date is not None:
            item["date"] = min(filter(None, (item["date"], date)))
        for name, key in (("class", "class"), ("before", "before"), ("after", "after")):
            if (found_value := value(row, name)) is not None:
                item[key].add(found_value)
        if (ev := value(row, "ev")) is not None:
            item["quotes"][ev] = (value(row, "quote"), value(row, "source"))
    mentioned = set(found)
    for item in found.values():
        mentioned |= item["before"] | item["after"] | item["roles"] | {s for _, s in item["quotes"].values()}
        mentioned |= item["class"]
    names = labels(store, mentioned)

    def link(x: str) -> Link:
        return Link(x, names.get(x) or local_name(x))

    items = [
        EventItem(
            link(e),
            item["date"],
            ", ".join(sorted(names.get(c) or local_name(c) for c in item["class"])) or None,
            sorted(link(r).label for r in item["roles"]),
            sorted((link(b) for b in item["before"]), key=lambda x: x.label),
            sorted((link(a) for a in item["after"]), key=lambda x: x.label),
            [Quote(q, link(src), Link(ev, _shorten(q))) for ev, (q, src) in sorted(item["quotes"].items())],
        )
        for e, item in found.items()
    ]
    items.sort(key=lambda i: (i.date or "9999", i.link.label))
    return items


def stances(store: Reader, holder: str | None = None, position: str | None = None) -> list[StanceItem]:
    """The stances of a holder, or on a position, in time order."""
    bound = {"holder": ox.NamedNode(holder)} if holder else {"position": ox.NamedNode(position or "")}
    found: dict[str, dict] = {}
    for row in store.select("stances", **bound):
        item = found.setdefault(
            value(row, "stance") or "",
            {
                "holder": value(row, "holder"),
                "position": value(row, "position"),
                "when": _when(row),
                "quotes": {},
            },
        )
        if (ev := value(row, "ev")) is not None:
            item["quotes"][ev] = (value(row, "quote"), value(row, "source"))
    mentioned = set(found) | {i["holder"] for i in found.values()} | {i["position"] for i in found.values()}
    mentioned |= {s for i in found.values() for _, s in i["quotes"].values()}
    names = labels(store, mentioned)

    def link(x: str) -> Link:
        return Link(x, names.get(x) or local_name(x))

    items = [
        StanceItem(
            link(s),
            link(i["holder"]),
            link(i["position"]),
            i["when"],
            [Quote(q, link(src), Link(ev, _shorten(q))) for ev, (q, src) in sorted(i["quotes"].items())],
        )
        for s, i in found.items()
    ]
    items.sort(key=lambda i: (i.when or "9999", i.holder.label, i.position.label))
    return items


def _when(row: dict) -> str:
    date = value(row, "date")
    if date is not None:
        return date
    start = value(row, "from") or ""
    end = value(row, "until") or ""
    return f"{start}–{end}" if start or end else ""


def source_quotes(store: Reader, source: str) -> list[tuple[Quote, list[Link]]]:
    """Every quote taken from an article, with what it is evidence for."""
    found: dict[str, tuple[str, set[str]]] = {}
    for row in store.select("source-quotes", source=ox.NamedNode(source)):
        _, about = found.setdefault(value(row, "ev") or "", (value(row, "quote") or "", set()))
        if (subject := value(row, "about")) is not None:
            about.add(subject)
    names = labels(store, {a for _, about in found.values() for a in about} | {source})

    def link(x: str) -> Link:
        return Link(x, names.get(x) or local_name(x))

    return sorted(
        (
            (
                Quote(q, link(source), Link(ev, _shorten(q))),
                sorted((link(a) for a in about), key=lambda x: x.label),
            )
            for ev, (q, about) in found.items()
        ),
        key=lambda item: item[0].text,
    )
