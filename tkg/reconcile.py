"""Reconciliation (W3C Reconciliation Service API 0.2): names from a spreadsheet to this graph's IRIs.

A researcher's column of party names (from an archive catalogue, an election
dataset, a bibliography) is matched against the same :class:`~tkg.search.SearchIndex`
as ``/search`` and the pickers: every name in every language, without case or
accents, acronyms, and typos. A candidate's score (0-100) starts from how alike
the query and its closest name are; the properties a query gives (country,
founding year, international) move it up when the candidate agrees and down when
it says otherwise. ``match`` is true only when exactly one candidate bears the
query as one of its names and nothing the query says contradicts it.

Entity identifiers are relative to the ``id/`` namespace (``org/crfi``), types
and properties to the ontology's (``Organisation``, ``founded``), as the
manifest's ``identifierSpace`` and ``schemaSpace`` say; full IRIs are accepted
too. This module is pure: the blueprint (``server/reconcile.py``) parses
requests and writes the documents.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import ID, OURS, OWL, TKG
from .reads import Reader
from .search import SearchIndex, fold, similarity

ONTOLOGY = str(TKG)


@dataclass(frozen=True)
class Property:
    id: str
    name: str
    description: str
    #: The type of its values when they are resources (``None`` for dates).
    range: str | None = None

    @property
    def iri(self) -> str:
        return ONTOLOGY + self.id


#: The properties a query may give and an extension may fetch, in the order they are proposed.
PROPERTIES = (
    Property("founded", "founded", "when the organisation was founded (each source's date)"),
    Property("dissolved", "dissolved", "when the organisation was dissolved"),
    Property("country", "country", "the country the organisation worked in", "Country"),
    Property(
        "sectionOf",
        "section of",
        "the international it was a section or sympathising group of",
        "International",
    ),
    Property(
        "descendsFrom",
        "ancestors",
        "every organisation it descends from (inferred from events)",
        "Organisation",
    ),
    Property("heldPosition", "USSR positions", "the positions on the nature of the USSR it held"),
)
BY_ID = {p.id: p for p in PROPERTIES}
#: Other names a spreadsheet's column headers give the same properties.
ALIASES = {
    "international": "sectionOf",
    "year": "founded",
    "founding year": "founded",
    "ancestors": "descendsFrom",
}
DATES = {"founded", "dissolved"}

#: The types offered when a client does not choose (organisation and its kinds, person, event, periodical).
DEFAULT_TYPES = (
    "Organisation",
    "International",
    "Party",
    "Faction",
    "Tendency",
    "Group",
    "YouthOrganisation",
    "Person",
    "Event",
    "Periodical",
)
#: How far a candidate agrees with one property of the query: its value, a year off, nothing known,
#: something else. With properties, a score is a quarter their mean agreement and three quarters
#: the name's similarity: an exact name that agrees scores 100, one that says nothing 85, one that
#: says otherwise 75, so properties reorder namesakes without outweighing a much closer name.
AGREES, NEAR, UNKNOWN, DISAGREES = 1.0, 0.6, 0.4, 0.0
PROPERTY_WEIGHT = 0.25
#: Names a property value is compared with must be at least this alike (0-100).
SAME_NAME = 85.0


class BadQuery(ValueError):
    """A query or extension a client sent that cannot be answered as it stands (400)."""


def entity_id(iri: str) -> str:
    """``org/crfi`` for ``…/id/org/crfi``: identifiers are relative to the identifier space."""
    return iri[len(ID) :] if iri.startswith(ID) else iri


def entity_iri(identifier: str) -> str | None:
    """The IRI an entity identifier names (relative or full), or ``None`` if it is not one of ours.

    >>> entity_iri("org/crfi") == ID + "org/crfi", entity_iri(ID + "org/crfi") == ID + "org/crfi"
    (True, True)
    >>> entity_iri("https://example.org/x") is None
    True
    """
    if identifier.startswith(ID):
        return identifier
    if "://" in identifier or not identifier or identifier.startswith("/"):
        return None
    return ID + identifier


def schema_id(iri: str) -> str:
    return iri[len(ONTOLOGY) :] if iri.startswith(ONTOLOGY) else iri


def schema_iri(identifier: str) -> str:
    """A type's or property's IRI from its identifier: ``Party`` or the full IRI."""
    return identifier if "://" in identifier else ONTOLOGY + identifier


def property_for(pid: str) -> Property:
    """The property ``pid`` names (an identifier, a full IRI, or a common column name)."""
    key = schema_id(pid.strip())
    key = ALIASES.get(key.casefold(), key)
    if key not in BY_ID:
        known = ", ".join(BY_ID)
        raise BadQuery(f"unknown property {pid!r}: this service knows {known}.")
    return BY_ID[key]


@dataclass
class Candidate:
    iri: str
    name: str
    description: str
    score: float
    exact: bool
    types: list[tuple[str, str]]
    features: list[tuple[str, float | bool]] = field(default_factory=list)
    match: bool = False
    contradicted: bool = False
    #: The search index's rank score: among equal scores, a main label before an other name.
    rank: int = 0


@dataclass(frozen=True)
class Query:
    text: str
    types: frozenset[str] | None = None
    limit: int = 10
    properties: tuple[tuple[Property, tuple[object, ...]], ...] = ()


class Reconciler:
    """Candidates for names, from the search index and the facts of the properties above."""

    def __init__(self, index: SearchIndex, reader: Reader) -> None:
        self.index = index
        self.facts: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = defaultdict(
            lambda: defaultdict(list)
        )
        rows = reader.select(
            "reconcile-facts", p=[ox.NamedNode(p.iri) for p in PROPERTIES], base=ox.Literal(ID)
        )
        for row in rows:
            subject, predicate, obj = row["x"], row["p"], row["o"]
            if not (isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode)):
                continue
            held = self.facts[subject.value][schema_id(predicate.value)]
            if isinstance(obj, ox.NamedNode | ox.Literal) and obj not in held:
                held.append(obj)
        self.names: dict[str, list[str]] = defaultdict(list)
        for name in index.names:
            self.names[name.iri].append(name.folded)

    def label(self, iri: str) -> str:
        return self.index.labels.get(iri) or iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def types_of(self, iri: str) -> list[tuple[str, str]]:
        """The ontology's classes of ``iri`` (id, name), most specific first: a party, then organisation."""
        mine = [t for t in self.index.types.get(iri, ()) if t.startswith(ONTOLOGY)]
        order = {t: n for n, t in enumerate(DEFAULT_TYPES)}
        mine.sort(key=lambda t: (schema_id(t) == "Organisation", order.get(schema_id(t), 99), t))
        return [(schema_id(t), self.label(t)) for t in mine]

    def describe(self, iri: str) -> str:
        """A line that tells namesakes apart: kind, country, section of, founded."""
        facts = self.facts.get(iri, {})
        parts = [name for _, name in self.types_of(iri)[:1]]
        parts += [self.label(c.value) for c in facts.get("country", [])[:2]]
        parts += [f"section of {self.label(i.value)}" for i in facts.get("sectionOf", [])[:1]]
        founded = sorted({d.value for d in facts.get("founded", [])})
        if founded:
            parts.append(f"founded {' or '.join(founded)}")
        return " · ".join(parts)

    def reconcile(self, query: Query) -> list[Candidate]:
        """The best ``query.limit`` candidates for ``query``, best first."""
        hits = self.index.search(query.text, max(50, query.limit * 5), classes=query.types)
        candidates = []
        for hit in hits:
            if hit.kind == "term":
                continue
            features: list[tuple[str, float | bool]] = [("name", round(hit.similarity, 1))]
            agreements = []
            for prop, values in query.properties:
                verdict = self._agrees(hit.iri, prop, values)
                if verdict is not None:
                    features.append((prop.id, verdict > NEAR / 2))
                agreements.append(UNKNOWN if verdict is None else verdict)
            score = hit.similarity
            if agreements:
                mean = sum(agreements) / len(agreements)
                score = (1 - PROPERTY_WEIGHT) * score + 100 * PROPERTY_WEIGHT * mean
            contradicted = DISAGREES in agreements
            candidates.append(
                Candidate(
                    hit.iri,
                    hit.label,
                    self.describe(hit.iri),
                    round(min(100.0, max(0.0, score)), 1),
                    hit.exact,
                    self.types_of(hit.iri),
                    features,
                    contradicted=contradicted,
                    rank=hit.score,
                )
            )
        candidates.sort(key=lambda c: (-c.score, not c.exact, -c.rank, c.name))
        exact = [c for c in candidates if c.exact]
        if len(exact) == 1 and not exact[0].contradicted and candidates[0] is exact[0]:
            exact[0].match = True
        return candidates[: query.limit]

    def _agrees(self, iri: str, prop: Property, values: tuple[object, ...]) -> float | None:
        """How much the candidate's values of ``prop`` move its score; ``None`` if it has none."""
        known = self.facts.get(iri, {}).get(prop.id, [])
        if not known:
            return None
        if prop.id in DATES:
            years = {int(v.value[:4]) for v in known if v.value[:4].isdigit()}
            asked = {y for y in (_year(v) for v in values) if y is not None}
            if not years or not asked:
                return None
            gap = min(abs(a - b) for a in years for b in asked)
            return AGREES if gap == 0 else NEAR if gap == 1 else DISAGREES
        targets = {v.value for v in known}
        for wanted in values:
            if isinstance(wanted, Mapping):
                target = entity_iri(str(wanted.get("id", "")))
                if target in targets:
                    return AGREES
                wanted = wanted.get("name", "")
            if isinstance(wanted, str) and wanted.strip():
                target = entity_iri(wanted.strip())
                if target in targets:
                    return AGREES
                if any(similarity(wanted, n) >= SAME_NAME for t in targets for n in self.names.get(t, [])):
                    return AGREES
        return DISAGREES

    def extend(
        self, iris: Iterable[str], props: list[Property]
    ) -> dict[str, dict[str, list[dict[str, str]]]]:
        """The values of ``props`` for each IRI: other resources as ``{id, name}``, literals as ``{str}``.

        Dates stay as the sources give them (``1930``, ``1930-04``, ``1930-04-06``): their precision
        varies, and a full date-time would claim more than the articles say.
        """
        rows: dict[str, dict[str, list[dict[str, str]]]] = {}
        for iri in iris:
            facts = self.facts.get(iri, {})
            row: dict[str, list[dict[str, str]]] = {}
            for prop in props:
                values: list[dict[str, str]] = []
                for term in sorted(facts.get(prop.id, []), key=lambda t: (self.label(t.value), t.value)):
                    if isinstance(term, ox.NamedNode):
                        values.append({"id": entity_id(term.value), "name": self.label(term.value)})
                    else:
                        values.append({"str": term.value})
                row[prop.id] = values
            rows[iri] = row
        return rows

    def suggest_schema(self, prefix: str, kinds: frozenset[str], limit: int) -> list[tuple[str, str]]:
        """Ontology terms (classes or properties: ``kinds`` of ``rdf:type``) whose names match ``prefix``."""
        hits = self.index.search(prefix, limit, classes=kinds) if fold(prefix) else []
        return [(schema_id(h.iri), h.label) for h in hits if h.iri.startswith(ONTOLOGY)]

    def all_types(self) -> list[str]:
        """Every class of the ontology (IRIs), for validating a query's types."""
        return [
            iri for iri, kinds in self.index.types.items() if OWL + "Class" in kinds and iri.startswith(OURS)
        ]


def _year(value: object) -> int | None:
    """The year a query's property value gives (``1938``, ``"1938"``, ``"1938-09-03"``), if any."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str) and value.strip()[:4].isdigit():
        return int(value.strip()[:4])
    return None
