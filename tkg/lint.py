"""Lint the history the asserted data tells, with its source files.

SHACL (``validate``) checks the shape of each resource; these rules check what
the claims say against each other and against their quotes: a year inside a
name, one quote behind two events of the same kind and result, an event dated
before an organisation it acts on was founded (or after it was dissolved), two
IRIs for one organisation, an entity defined in two files, a link without its
own evidence, a date more precise than its quote (or a range cut to its start).
Each rule is an *error* where it is certain (the build fails) or a *warning*
where a reader must judge (printed only).

Everything runs over the parsed rdflib graph in one pass per rule, plus one
pyoxigraph parse per data file to know which file asserts which type (rdflib's
merged graph has forgotten); lines are found by searching each file for the
prefixed name, the IRI or the quote, since the parser gives no line per triple.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdflib_names
from rdflib.term import Node

from . import namespaces
from .evidence import Articles, normalise
from .graphview import Readable, collector_paused

if TYPE_CHECKING:
    from .build import Timings
from .namespaces import BASE, CANONICAL, rebase


class _Names:
    """A namespace whose terms are made once: rdflib builds (and checks) a new URIRef on every
    attribute read, and the rules read a term per node they visit (a sixth of the lint at 100x)."""

    def __init__(self, names: Any) -> None:
        self._names = names

    def __getattr__(self, name: str) -> URIRef:
        """The term ``name`` of the namespace; a private name is none (tools probe objects for them:
        pytest's doctest finder asks for ``_mock_name``, which rdflib answered with a warning and a term).

        >>> OWL.sameAs, hasattr(OWL, "_mock_name")
        (rdflib.term.URIRef('http://www.w3.org/2002/07/owl#sameAs'), False)
        """
        if name.startswith("_"):
            raise AttributeError(name)
        term = URIRef(getattr(self._names, name))
        setattr(self, name, term)  # found on the instance from now on, without __getattr__
        return term

    def __getitem__(self, name: str) -> URIRef:
        return URIRef(self._names[name])


OWL, RDF, RDFS, SKOS = (
    _Names(n) for n in (rdflib_names.OWL, rdflib_names.RDF, rdflib_names.RDFS, rdflib_names.SKOS)
)
DCTERMS, XSD = _Names(rdflib_names.DCTERMS), _Names(rdflib_names.XSD)
OA, ORG, TKG = _Names(namespaces.OA), _Names(namespaces.ORG), _Names(namespaces.TKG)

ERROR = "error"
WARNING = "warning"

_YEAR = re.compile(r"(?<![\d-])(1[89]\d\d|20\d\d)(?!\d)")
_PREFIX = re.compile(r"@prefix\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.IGNORECASE)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_WORD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)(uary|ruary|ch|il|e|y|ust|ember|ober)?\b\.?",
    re.IGNORECASE,
)
_DAY = re.compile(r"(?<!\d)(?<!\d[-\u2013])(\d{1,2})(?:st|nd|rd|th)?(?!\d)")
#: Characters of the article read around a quote when looking for the year that dates it.
NEARBY = 1500


@dataclass(frozen=True)
class Finding:
    """One lint result: the rule, how sure it is, what it is about, where, and the quote."""

    rule: str
    severity: str
    resource: str
    message: str
    file: str | None = None
    line: int | None = None
    quote: str | None = None

    def __str__(self) -> str:
        where = f" ({self.file}:{self.line})" if self.line else f" ({self.file})" if self.file else ""
        quote = f": \u201c{self.quote}\u201d" if self.quote else ""
        return f"{self.severity} [{self.rule}] {self.resource}{where}: {self.message}{quote}"


@dataclass(frozen=True)
class Span:
    """A date literal as the interval of days it covers, compared as (year, month, day)."""

    start: tuple[int, int, int]
    end: tuple[int, int, int]

    @classmethod
    def of(cls, value: Node) -> Span | None:
        """The span of an ``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date`` (``None`` otherwise).

        >>> Span.of(Literal("1930", datatype=XSD.gYear)).end
        (1930, 12, 31)
        >>> Span.of(Literal("1930-04", datatype=XSD.gYearMonth)).start
        (1930, 4, 1)
        """
        if not isinstance(value, Literal):
            return None
        match = re.fullmatch(r"(\d{4})(?:-(\d\d))?(?:-(\d\d))?", str(value))
        if match is None:
            return None
        year, month, day = match.groups()  # a day only with a month: the month's group matches first
        if day:
            return cls((int(year), int(month), int(day)), (int(year), int(month), int(day)))
        if month:
            return cls((int(year), int(month), 1), (int(year), int(month), 31))
        return cls((int(year), 1, 1), (int(year), 12, 31))

    def before(self, other: Span) -> bool:
        """Certainly before: this span ends before the other starts."""
        return self.end < other.start


def _span(value: Node) -> Span:
    """The span of a value already known to be a date (one ``Span.of`` accepted)."""
    span = Span.of(value)
    if span is None:
        raise ValueError(f"not a date: {value!r}")
    return span


_PRECISION: dict[URIRef | None, str] = {XSD.date: "day", XSD.gYearMonth: "month"}


def _precision(value: Literal) -> str:
    return _PRECISION.get(value.datatype, "year")


def fold(text: str) -> str:
    """Lowercase ASCII with runs of non-word characters as one space, to compare names.

    >>> fold("Ligue  Communiste (France)")
    'ligue communiste france'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text))


class Sources:
    """The data files: which file asserts which type, and the line where a name or quote is."""

    def __init__(self, files: Iterable[Path]) -> None:
        self.files = list(files)
        self.texts: dict[str, str] = {}  # split into lines only to place a quote (a finding's)
        self.prefixes: dict[str, dict[str, str]] = {}
        self.typed_in: dict[str, list[str]] = defaultdict(list)
        self.subject_in: dict[str, list[str]] = defaultdict(list)
        for path in self.files:
            text = path.read_text(encoding="utf-8")
            self.texts[path.name] = text
            self.prefixes[path.name] = {ns: p or "" for p, ns in _PREFIX.findall(text)}
            subjects, typed = _subjects(path)
            for subject in subjects:
                if path.name not in self.subject_in[subject]:
                    self.subject_in[subject].append(path.name)
            for subject in typed:
                if path.name not in self.typed_in[subject]:
                    self.typed_in[subject].append(path.name)

    def names(self, iri: str, file: str) -> list[str]:
        """The ways ``iri`` can be written in ``file``: its prefixed forms and ``<iri>``."""
        forms = [f"<{iri}>"]
        for namespace, prefix in self.prefixes.get(file, {}).items():
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and re.fullmatch(r"[\w-]*", local):
                forms.append(f"{prefix}:{local}")
        return forms

    def line_of(self, iri: str, file: str) -> int | None:
        """The first line of ``file`` where ``iri`` is a subject (starts a line), else where it occurs."""
        text = self.texts.get(file, "")
        names = "|".join(re.escape(form) for form in self.names(iri, file))
        match = re.search(rf"^[ \t]*(?:{names})(?![\w-])", text, re.MULTILINE) or re.search(
            rf"(?<![\w:/-])(?:{names})(?![\w-])", text
        )
        return text.count("\n", 0, match.start()) + 1 if match else None

    def locate(self, iri: str, files: Iterable[str] | None = None) -> tuple[str | None, int | None]:
        """The file and line that define ``iri`` (or first mention it)."""
        candidates = list(files or []) or self.typed_in.get(iri) or self.subject_in.get(iri) or []
        for file in candidates:
            line = self.line_of(iri, file)
            if line:
                return file, line
        return (candidates[0], None) if candidates else (None, None)

    def locate_quote(self, quote: str, files: Iterable[str] | None = None) -> tuple[str | None, int | None]:
        """The file and line where a quote's opening words are written."""
        head = re.split(r"[\"\\\n]", normalise(quote))[0][:40]
        if len(head) < 8:
            return None, None
        for file in list(files or []) or list(self.texts):
            for number, text in enumerate(self.texts[file].splitlines(), 1):
                if head in normalise(text):
                    return file, number
        return None, None


def _subjects(path: Path) -> tuple[list[str], list[str]]:
    """The subject IRIs of one Turtle file, and those it gives an ``rdf:type``, each once, in the
    order the file first has them (Oxigraph's parser, fast; a subject has several triples).

    rdflib, which the build parsed it with, reads it if Oxigraph refuses it. IRIs are rebased as
    :func:`tkg.turtle.parse_file` rebases them, so they match the data graph's.
    """
    subjects: dict[str, None] = {}
    typed: dict[str, None] = {}
    try:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(t.subject, ox.NamedNode):
                subjects[t.subject.value] = None
                if t.predicate == _RDF_TYPE:
                    typed[t.subject.value] = None
    except SyntaxError:
        subjects.clear()
        typed.clear()
        for s, p, _o in Graph().parse(path, format="turtle"):
            if isinstance(s, URIRef):
                subjects[str(s)] = None
                if p == RDF.type:
                    typed[str(s)] = None
    if BASE == CANONICAL:  # a call an IRI saved: the IRIs are already this deployment's
        return list(subjects), list(typed)
    return [rebase(s) for s in subjects], [rebase(s) for s in typed]


_RDF_TYPE = ox.NamedNode(str(RDF.type))


class Linter:
    """The rules, over one parsed and skolemised data graph with its ontology and files."""

    def __init__(self, data: Readable, ontology: Graph, files: Iterable[Path], articles: Articles) -> None:
        self.data = data
        self.articles = articles
        self.sources = Sources(files)
        self.superclasses = _superclasses(ontology, data)
        self.deprecated = {s for s in data.subjects(OWL.deprecated, Literal(True))}
        self.types: dict[Node, set[Node]] = defaultdict(set)
        for s, cls in data.subject_objects(RDF.type):
            self.types[s] |= self.superclasses.get(cls, {cls})
        self.findings: list[Finding] = []
        self._parents: dict[Node, set[Node]] | None = None
        self._quotes: dict[Node, list[tuple[str, str]]] = {}
        self._founding: dict[Node, list[tuple[Literal, list[tuple[str, str]]]]] = {}

    # ---- helpers

    def is_a(self, node: Node, cls: URIRef) -> bool:
        return cls in self.types.get(node, ())

    def instances(self, cls: URIRef) -> list[Node]:
        return sorted((n for n, t in self.types.items() if cls in t and n not in self.deprecated), key=str)

    def label(self, node: Node) -> str:
        for value in self.data.objects(node, RDFS.label):
            if isinstance(value, Literal) and value.language == "en":
                return str(value)
        return str(node).rsplit("/", 1)[-1]

    def quotes(self, node: Node) -> list[tuple[str, str]]:
        """``(source IRI, quote)`` of every evidence of ``node`` (kept: the rules ask for a node's
        quotes again and again)."""
        cached = self._quotes.get(node)
        if cached is None:
            cached = self._quotes[node] = self._read_quotes(node)
        return list(cached)

    def _read_quotes(self, node: Node) -> list[tuple[str, str]]:
        found = []
        for evidence in self.data.objects(node, TKG.evidence):
            source = self.data.value(evidence, DCTERMS.source)
            for quote in self.data.objects(evidence, OA.exact):
                found.append((str(source), str(quote)))
        return sorted(found)

    def claims(self, subject: Node, predicate: URIRef, obj: Node | None = None) -> list[Node]:
        found = []
        for claim in self.data.subjects(RDF.subject, subject):
            if self.data.value(claim, RDF.predicate) == predicate and (
                obj is None or self.data.value(claim, RDF.object) == obj
            ):
                found.append(claim)
        return found

    def source_file(self, source: str) -> str | None:
        value = self.data.value(URIRef(source), TKG.file)
        return str(value) if value is not None else None

    def add(
        self,
        rule: str,
        severity: str,
        resource: Node,
        message: str,
        quote: str | None = None,
        where: tuple[str | None, int | None] | None = None,
    ) -> None:
        if where is None:
            where = self.sources.locate(str(resource)) if isinstance(resource, URIRef) else (None, None)
            if where == (None, None) and quote:
                where = self.sources.locate_quote(quote)
        self.findings.append(Finding(rule, severity, str(resource), message, where[0], where[1], quote))

    # ---- the rules

    def year_in_name(self) -> None:
        """An organisation's English name carries no years: the period is in its dates."""
        for org in self.instances(TKG.Organisation):
            name = self.label(org)
            if _YEAR.search(name):
                self.add(
                    "year-in-name",
                    ERROR,
                    org,
                    f"the name \u201c{name}\u201d carries a year; give the period as "
                    "tkg:founded/tkg:dissolved and disambiguate by country in parentheses",
                    quote=name,
                )

    def one_quote_two_events(self) -> None:
        """The same quote from the same article behind two events of the same kind and result."""
        by_evidence: dict[Node, list[Node]] = defaultdict(list)
        for event in self.instances(TKG.Event):
            for evidence in self.data.objects(event, TKG.evidence):
                by_evidence[evidence].append(event)
        for evidence, events in sorted(by_evidence.items(), key=lambda kv: str(kv[0])):
            for a, b in combinations(sorted(set(events), key=str), 2):
                if not self._kind(a) & self._kind(b) or self._result(a) != self._result(b):
                    continue  # another kind (a founding and a split may share a sentence) or result
                quote = str(self.data.value(evidence, OA.exact))
                self.add(
                    "one-quote-two-events",
                    ERROR,
                    a,
                    f"one quote is the evidence of two {self._kind_name(a, b)} events with the same result, "
                    f"{a} and {b}: keep one event",
                    quote=quote,
                )

    def _kind(self, event: Node) -> frozenset[Node]:
        generic = {TKG.Event, TKG.LineageEvent, ORG.ChangeEvent}
        return frozenset(t for t in self.data.objects(event, RDF.type) if t not in generic)

    def _kind_name(self, a: Node, b: Node) -> str:
        return "/".join(sorted(str(t).rsplit("#", 1)[-1] for t in self._kind(a) & self._kind(b)))

    def _result(self, event: Node) -> tuple[frozenset[Node], ...]:
        resulting = frozenset(self.data.objects(event, ORG.resultingOrganization))
        if resulting:
            return (resulting,)
        return (
            frozenset(self.data.objects(event, ORG.originalOrganization)),
            frozenset(self.data.objects(event, TKG.hostOrganisation)),
        )

    def founding_dates(self, org: Node) -> list[tuple[Literal, list[tuple[str, str]]]]:
        """Every founding date of ``org`` with the quotes that give it (kept: every event and claim
        that acts on ``org`` asks again)."""
        found = self._founding.get(org)
        if found is None:
            found = self._founding[org] = self._read_founding_dates(org)
        return found

    def _read_founding_dates(self, org: Node) -> list[tuple[Literal, list[tuple[str, str]]]]:
        dates: dict[Node, list[tuple[str, str]]] = defaultdict(list)
        for value in self.data.objects(org, TKG.founded):
            dates[value]
        for event in self.data.subjects(ORG.resultingOrganization, org):
            if self.is_a(event, TKG.Founding):
                for value in self.data.objects(event, TKG.date):
                    dates[value] += self.quotes(event)
        for value in list(dates):
            for claim in self.claims(org, TKG.founded, value):
                dates[value] += self.quotes(claim)
            for event in self.data.subjects(ORG.resultingOrganization, org):
                if (event, TKG.date, value) in self.data:
                    dates[value] += self.quotes(event)
        return [
            (value, sorted(set(q)))
            for value, q in sorted(dates.items())
            if isinstance(value, Literal) and Span.of(value)
        ]

    def before_founding(self) -> None:
        """An event (entry, affiliation, split…) or a dated link outside its organisations' lifetime.

        The organisations an event acts on (original, host, involved; not the ones it
        results in) must have been founded by its date and not yet dissolved.
        """
        for event in self.instances(TKG.Event):
            orgs = set(self.data.objects(event, ORG.originalOrganization))
            orgs |= set(self.data.objects(event, TKG.hostOrganisation))
            orgs |= set(self.data.objects(event, TKG.involves))
            for value in self.data.objects(event, TKG.date):
                self._check_founded(event, value, orgs, self.quotes(event))
                if not self.is_a(event, TKG.Dissolution):
                    self._check_dissolved(event, value, orgs, self.quotes(event))
        for claim in sorted(set(self.data.subjects(RDF.type, TKG.Claim)), key=str):
            ends = (self.data.value(claim, RDF.subject), self.data.value(claim, RDF.object))
            orgs = {end for end in ends if end is not None}
            for prop in (TKG.date, TKG["from"]):
                for value in self.data.objects(claim, prop):
                    self._check_founded(claim, value, orgs, self.quotes(claim))

    def _check_dissolved(
        self, thing: Node, value: Node, orgs: set[Node], quotes: list[tuple[str, str]]
    ) -> None:
        span = Span.of(value)
        for org in sorted(o for o in orgs if isinstance(o, URIRef) and o not in self.deprecated):
            dates = [(d, s) for d in self.data.objects(org, TKG.dissolved) if (s := Span.of(d)) is not None]
            if span is None or not dates or not all(s.before(span) for _d, s in dates):
                continue
            ended = ", ".join(sorted(str(d) for d, _s in dates))
            message = f"dated {value}, after {self.label(org)} ({org}) was dissolved: {ended}"
            self.add("after-dissolution", ERROR, thing, message, quote=quotes[0][1] if quotes else None)

    def _check_founded(
        self, thing: Node, value: Node, orgs: set[Node], quotes: list[tuple[str, str]]
    ) -> None:
        span = Span.of(value)
        if span is None:
            return
        quote = quotes[0][1] if quotes else None
        for org in sorted(o for o in orgs if isinstance(o, URIRef) and o not in self.deprecated):
            dates = self.founding_dates(org)
            later = [(d, q) for d, q in dates if span.before(_span(d))]
            if not later:
                continue
            said = "; ".join(
                f"{d} ({', '.join(sorted({self.source_file(s) or s for s, _ in q})) or 'no quote'})"
                for d, q in later
            )
            if len(later) == len(dates):
                message = f"dated {value}, before {self.label(org)} ({org}) was founded: {said}"
                self.add("before-founding", ERROR, thing, message, quote=quote)
            else:
                others = ", ".join(str(d) for d, _ in dates if (d, _) not in later)
                message = (
                    f"dated {value}, before {self.label(org)} ({org}) was founded according to {said}; "
                    f"after it according to {others}"
                )
                self.add("before-founding", WARNING, thing, message, quote=quote)

    def one_organisation_two_iris(self) -> None:
        """Two IRIs sharing a name (or a leader) in the same country are probably one organisation."""
        orgs = self.instances(TKG.Organisation)
        countries = {o: frozenset(self.data.objects(o, TKG.country)) for o in orgs}
        linked = self._linked_pairs()
        by_name: dict[tuple[str, frozenset], list[Node]] = defaultdict(list)
        for org in orgs:
            by_name[(fold(self.label(org)), countries[org])].append(org)
        for _key, group in sorted(by_name.items(), key=lambda kv: kv[0][0]):
            for a, b in combinations(group, 2):
                self.add(
                    "two-iris",
                    ERROR,
                    b,
                    f"{a} and {b} have the same name \u201c{self.label(a)}\u201d and country: keep one IRI "
                    "(the other owl:deprecated with dcterms:isReplacedBy) or disambiguate the names",
                    quote=self.label(b),
                )
        label = {o: fold(self.label(o)) for o in orgs}
        by_any_name: dict[str, set[Node]] = defaultdict(set)
        for org in orgs:  # acronyms are too short to tell organisations apart
            by_any_name[label[org]].add(org)
            for name in self.data.objects(org, SKOS.altLabel):
                if len(fold(str(name))) > 6:
                    by_any_name[fold(str(name))].add(org)
        shared_names: dict[tuple[Node, Node], set[str]] = defaultdict(set)
        for folded, members in by_any_name.items():
            for a, b in combinations(sorted(members, key=str), 2):
                shared_names[(a, b)].add(folded)
        for (a, b), shared in sorted(shared_names.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
            if countries[a] != countries[b] or frozenset((a, b)) in linked or label[a] == label[b]:
                continue  # other countries, related on purpose, or reported above
            if not self._descends(a, b) and not self._descends(b, a):
                self.add(
                    "two-iris",
                    WARNING,
                    b,
                    f"{a} and {b} share the name \u201c{min(shared)}\u201d and their country:"
                    " one organisation with two IRIs? keep one (the other deprecated, isReplacedBy the one)",
                    quote=self.label(b),
                )
        shared_leaders: dict[frozenset[Node], set[Node]] = defaultdict(set)
        for person in set(self.data.objects(None, TKG.leader)):
            led = [o for o in self.data.subjects(TKG.leader, person) if countries.get(o)]
            for a, b in combinations(sorted(led, key=str), 2):
                if countries[a] == countries[b]:
                    shared_leaders[frozenset((a, b))].add(person)
        for pair, people in sorted(shared_leaders.items(), key=lambda kv: sorted(map(str, kv[0]))):
            a, b = sorted(pair, key=str)
            if pair in linked or self._descends(a, b) or self._descends(b, a):
                continue
            names = ", ".join(sorted(self.label(p) for p in people))
            self.add(
                "two-iris",
                WARNING,
                b,
                f"{a} and {b} have the same leader ({names}) and country and no event between them: "
                "one organisation with two IRIs, or a missing renaming/split/fusion?",
                quote=self.label(b),
            )

    def _linked_pairs(self) -> set[frozenset[Node]]:
        """Organisations an event, a structural link or a shared ancestor connects: distinct on purpose."""
        linked: set[frozenset[Node]] = set()
        for event in self.instances(TKG.Event):
            members = set(self.data.objects(event, ORG.originalOrganization))
            members |= set(self.data.objects(event, ORG.resultingOrganization))
            members |= set(self.data.objects(event, TKG.hostOrganisation))
            members |= set(self.data.objects(event, TKG.involves))
            members |= set(self.data.objects(event, TKG.expelled))
            linked |= {frozenset(pair) for pair in combinations(members, 2)}
        for prop in (TKG.sectionOf, TKG.factionOf, ORG.memberOf, TKG.claimsContinuityWith):
            linked |= {frozenset((s, o)) for s, o in self.data.subject_objects(prop)}
        return linked

    def _descends(self, org: Node, ancestor: Node) -> bool:
        """Whether the events make ``org`` a descendant of ``ancestor`` (the lineage the reasoner infers)."""
        if self._parents is None:
            self._parents = defaultdict(set)
            for cls in (TKG.Founding, TKG.Split, TKG.Fusion, TKG.Renaming, TKG.Expulsion):
                for event in self.instances(cls):
                    for child in self.data.objects(event, ORG.resultingOrganization):
                        self._parents[child] |= set(self.data.objects(event, ORG.originalOrganization))
        seen, todo = set(), [org]
        while todo:
            for parent in self._parents.get(todo.pop(), ()):
                if parent == ancestor:
                    return True
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return False

    def defined_once(self) -> None:
        """An entity's type is asserted in exactly one file (``data/README.md``)."""
        for iri, files in sorted(self.sources.typed_in.items()):
            if len(files) < 2 or URIRef(iri) in self.deprecated:
                continue
            places = ", ".join(f"{f}:{self.sources.line_of(iri, f)}" for f in files)
            self.add(
                "defined-twice",
                ERROR,
                URIRef(iri),
                f"its rdf:type is asserted in {len(files)} files ({places}): define it in one, "
                "the others keep only their claims",
                where=(files[0], self.sources.line_of(iri, files[0])),
            )

    def own_evidence(self) -> None:
        """Section links need a tkg:Claim; stances, events and founding dates need their own quotes."""
        for org, host in sorted(self.data.subject_objects(TKG.sectionOf), key=str):
            if org in self.deprecated:
                continue
            if not any(self.quotes(c) for c in self.claims(org, TKG.sectionOf, host)):
                backing = [
                    e
                    for e in self.data.subjects(ORG.originalOrganization, org)
                    if (e, TKG.hostOrganisation, host) in self.data and self.is_a(e, TKG.Affiliation)
                ]
                quote = self.quotes(backing[0])[0][1] if backing and self.quotes(backing[0]) else None
                hint = f" (only the event {backing[0]} backs it)" if backing else ""
                self.add(
                    "own-evidence",
                    ERROR,
                    org,
                    f"tkg:sectionOf {host} has no tkg:Claim with evidence of its own{hint}: "
                    "add a tkg:Claim quoting the sentence that makes it a section",
                    quote=quote,
                )
        for cls in (TKG.Stance, TKG.Event):
            for node in self.instances(cls):
                if not self.quotes(node):
                    self.add("own-evidence", ERROR, node, f"this {self.label(node)} has no tkg:evidence")
        for prop in (TKG.founded, TKG.dissolved):
            for org, value in sorted(self.data.subject_objects(prop), key=str):
                if org in self.deprecated or any(self.quotes(c) for c in self.claims(org, prop, value)):
                    continue
                # From the organisation's own events: a date is shared by many events at scale.
                link = ORG.resultingOrganization if prop == TKG.founded else ORG.originalOrganization
                events = [
                    e
                    for e in self.data.subjects(link, org)
                    if (e, TKG.date, value) in self.data and self.quotes(e)
                ]
                if not events:
                    self.add(
                        "own-evidence",
                        ERROR,
                        org,
                        f"tkg:{prop.fragment} {value} has no evidence: no event with that date, no tkg:Claim",
                    )

    def date_precision(self) -> None:
        """A date no more precise than its quotes: a day needs a day, a month a month, a year a year."""
        dated: list[tuple[Node, URIRef, Literal]] = []
        for cls in (TKG.Event, TKG.Stance):
            for node in self.instances(cls):
                for prop in (TKG.date, TKG["from"], TKG.until):
                    dated += [
                        (node, prop, v)
                        for v in self.data.objects(node, prop)
                        if isinstance(v, Literal) and Span.of(v)
                    ]
        for claim in self.data.subjects(RDF.type, TKG.Claim):
            value = self.data.value(claim, RDF.object)
            predicate = self.data.value(claim, RDF.predicate)
            if (
                isinstance(predicate, URIRef)
                and predicate in (TKG.founded, TKG.dissolved)
                and isinstance(value, Literal)
                and Span.of(value)
            ):
                dated.append((claim, predicate, value))
        for node, prop, value in sorted(dated, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
            quotes = self.quotes(node)
            if not quotes:
                continue  # own-evidence reports it
            subject = self.data.value(node, RDF.subject) or node  # a claim is about its subject
            verdict = self._supports(value, quotes)
            if verdict is None and prop == TKG.date:
                verdict = _range_cut(value, [quote for _source, quote in quotes])
            if verdict is None:
                continue
            where = self.sources.locate(str(subject)) if isinstance(subject, URIRef) else None
            if where is None or where == (None, None):
                where = self.sources.locate_quote(quotes[0][1])
            self.add(
                "date-precision",
                verdict[0],
                subject,
                f"{prop.fragment} {value} ({_precision(value)}): {verdict[1]}",
                quote=quotes[0][1],
                where=where,
            )

    def _supports(self, value: Literal, quotes: list[tuple[str, str]]) -> tuple[str, str] | None:
        """``None`` if the quotes together give the date at its precision, else (severity, why not).

        Certain (errors): a month or a day that no quote names, a year the article never
        mentions. Unsure (warnings): another month or day named, a year only in the text
        before the quote (the curator read it there), or a year somewhere else in the article.
        """
        year, month, day = _span(value).start
        texts = [quote.lower() for _source, quote in quotes]
        precision = _precision(value)
        if precision in ("month", "day"):
            months = {
                number
                for t in texts
                for m in _MONTH_WORD.finditer(t)
                if (number := _month_number(m.group(0))) is not None
            }
            if month not in months and not any(re.search(rf"\b{year}-{month:02d}\b", t) for t in texts):
                if months:
                    named = ", ".join(MONTHS[m - 1] for m in sorted(months))
                    return WARNING, f"the quotes name another month ({named})"
                return ERROR, "no quote names the month: give the year only, or quote the sentence that does"
        if precision == "day":
            days = {int(d) for t in texts for d in _DAY.findall(t)}
            if day not in days:
                if days & set(range(1, 32)):
                    return WARNING, "the quotes' day numbers do not include this day"
                return ERROR, "no quote gives the day: use xsd:gYearMonth or xsd:gYear"
        if any(_mentions_year(t, year) for t in texts):
            return None
        before = []
        for source, quote in quotes:
            article = self.articles.text(self.source_file(source) or "")
            if article is None:
                return None  # validation reports a missing article
            at = article.find(normalise(quote))
            before.append((article, article[max(0, at - NEARBY) : at] if at >= 0 else ""))
        if any(_mentions_year(nearby, year) for _article, nearby in before):
            return WARNING, (
                f"no quote has {year}; the text before one has: quote the sentence that dates it "
                "(a second tkg:evidence) or leave it undated"
            )
        if not any(_mentions_year(article, year) for article, _nearby in before):
            return ERROR, f"{year} is nowhere in the article"
        return WARNING, f"no quote has {year}, nor the {NEARBY} characters before them"


_YEAR_RANGE = re.compile(r"(?<!\d)(\d{4})\s*[-\u2013]\s*(\d{2}|\d{4})(?!\d)")
_DAY_RANGE = re.compile(r"(?<!\d)(\d{1,2})(?:\s+([a-z]+))?\s*[-\u2013]\s*(\d{1,2})\s+([a-z]+)", re.IGNORECASE)


def _range_cut(value: Literal, quotes: list[str]) -> tuple[str, str] | None:
    """A warning if a date is the start of a range its quote gives (``17 July-1 September``, ``1985-86``).

    A month covers a range inside it (``17-19 May``), a year one inside the year.


    >>> _range_cut(Literal("1985", datatype=XSD.gYear), ["The split in 1985-86 enabled"])[1][:30]
    'the quote gives a range (1985-'
    >>> _range_cut(Literal("1985", datatype=XSD.gYear), ["The split in 1985 enabled"]) is None
    True
    """
    year, month, day = _span(value).start
    precision = _precision(value)
    for quote in quotes:
        for match in _YEAR_RANGE.finditer(quote):
            if int(match.group(1)) == year:
                return WARNING, _cut(match.group(0))
        if precision == "year":
            continue
        for match in _DAY_RANGE.finditer(quote):
            first, last = _month_number(match.group(2) or match.group(4)), _month_number(match.group(4))
            if first != month or last is None:
                continue
            spans_months = precision == "month" and last != first
            if spans_months or (precision == "day" and int(match.group(1)) == day):
                return WARNING, _cut(match.group(0))
    return None


def _cut(text: str) -> str:
    return (
        f"the quote gives a range ({text}): give tkg:from and tkg:until, or the coarser precision "
        "that covers the range"
    )


def _month_number(word: str) -> int | None:
    head = word.lower().rstrip(".")[:3]
    for number, name in enumerate(MONTHS, 1):
        if name.startswith(head):
            return number
    return None


def _mentions_year(text: str, year: int) -> bool:
    """``1985`` is in ``1985``, ``1985-86``, ``1984-85`` and ``1984–1986``, not in ``the 1980s``.

    >>> [_mentions_year(t, 1985) for t in ("in 1985", "1984-85", "1984–1986", "the 1980s")]
    [True, True, True, False]
    """
    if re.search(rf"(?<!\d){year}(?!\d|s\b)", text):
        return True
    for first, last in re.findall(r"(?<!\d)(\d{4})\s*[-\u2013/]\s*(\d{2}|\d{4})(?!\d)", text):
        end = int(last) if len(last) == 4 else int(first[:2] + last)
        if int(first) <= year <= end:
            return True
    return False


def _superclasses(*graphs: Readable) -> dict[Node, set[Node]]:
    """Each class with itself and all its superclasses (``rdfs:subClassOf`` closed by hand)."""
    direct: dict[Node, set[Node]] = defaultdict(set)
    for graph in graphs:
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            direct[sub].add(sup)
    closed: dict[Node, set[Node]] = {}
    for cls in list(direct):
        seen, todo = {cls}, [cls]
        while todo:
            for sup in direct.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        closed[cls] = seen
    return closed


RULES = (
    "year_in_name",
    "one_quote_two_events",
    "before_founding",
    "one_organisation_two_iris",
    "defined_once",
    "own_evidence",
    "date_precision",
)


def lint(data: Readable, ontology: Graph, files: Iterable[Path], articles: Articles) -> list[Finding]:
    """Every finding of every rule, errors first, then by file and line.

    Python's cyclic collector is paused meanwhile: the rules build indexes whose objects all
    survive (types, quotes, names, the files' subjects), and each full collection walked the
    whole heap again; their temporaries make no cycles, so pausing it keeps nothing longer.
    """
    with collector_paused():
        linter = Linter(data, ontology, files, articles)
        for rule in RULES:
            getattr(linter, rule)()
    unique = sorted(
        set(linter.findings),
        key=lambda f: (f.severity != ERROR, f.rule, f.file or "", f.line or 0, f.resource, f.message),
    )
    return unique


def lint_stage(
    data: Readable, ontology: Graph, files: Iterable[Path], articles: Articles, timings: Timings
) -> list[Finding]:
    """The build's ``lint`` stage: report every warning, return the errors (which fail the build)."""
    with timings.stage("lint"):
        findings = lint(data, ontology, files, articles)
        errors = [f for f in findings if f.severity == ERROR]
        for finding in findings:
            if finding.severity != ERROR:
                timings.report(f"  {finding}")
        timings.report(f"  {len(errors)} error(s), {len(findings) - len(errors)} warning(s)")
    return errors
