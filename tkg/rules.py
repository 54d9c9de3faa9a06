"""A specialised OWL 2 RL forward-chainer for the instance data: the build's fast reasoner.

owlrl applies every OWL 2 RL rule to every triple, in Python, until nothing
changes: minutes on a large graph. This module closes the (small) schema with
owlrl itself, so the schema-level conclusions are owlrl's own, then reads from
the closed schema the few axioms that can fire on instance data and applies
them with a semi-naive worklist over indexed sets:

* ``cax-sco`` / ``cax-eqc`` (class hierarchy), ``prp-dom`` / ``prp-rng``;
* ``prp-spo1`` / ``prp-eqp`` (property hierarchy), ``prp-inv``, ``prp-symp``, ``prp-trp``;
* ``prp-spo2`` (property chains of any length);
* owlrl's self-restriction rule (``owl:hasSelf``) and ``cls-hv1`` / ``cls-hv2`` (``owl:hasValue``).

Every derived triple is queued once and joined against everything known when
it is taken off the queue, so each join is found by whichever of its premises
arrives last. An ontology that uses anything else that can fire on instances
(functional properties, keys, cardinalities, ``owl:sameAs``, unions,
``someValuesFrom``...) is refused with :class:`Unsupported`, and the build uses
owlrl for the whole closure instead: the fast path is never silently wrong.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator

from rdflib import OWL, RDF, RDFS, Graph, Literal
from rdflib.collection import Collection
from rdflib.term import Node

from .progress import counter

Triple = tuple[Node, Node, Node]

#: Schema constructs with instance-level rules this chainer does not implement.
UNSUPPORTED_TYPES = frozenset(
    {
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.IrreflexiveProperty,
        OWL.AsymmetricProperty,
        OWL.AllDisjointClasses,
        OWL.AllDisjointProperties,
        OWL.AllDifferent,
        OWL.NegativePropertyAssertion,
    }
)
UNSUPPORTED_PREDICATES = frozenset(
    {
        OWL.sameAs,
        OWL.differentFrom,
        OWL.someValuesFrom,
        OWL.allValuesFrom,
        OWL.intersectionOf,
        OWL.unionOf,
        OWL.oneOf,
        OWL.complementOf,
        OWL.disjointWith,
        OWL.hasKey,
        OWL.maxCardinality,
        OWL.maxQualifiedCardinality,
        OWL.propertyDisjointWith,
    }
)

#: Predicates that make a triple part of the schema rather than the instance data.
SCHEMA_PREDICATES = UNSUPPORTED_PREDICATES | frozenset(
    {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.propertyChainAxiom,
        OWL.onProperty,
        OWL.hasSelf,
        OWL.hasValue,
        RDF.first,
        RDF.rest,
    }
)


class Unsupported(Exception):
    """The ontology uses a construct whose instance rules the fast chainer lacks."""


def schema_patterns() -> Iterator[tuple[None, Node, Node | None]]:
    """The triple patterns that match exactly the triples :func:`is_schema` accepts, so a large
    graph's schema part is read by a few index lookups instead of a scan."""
    for predicate in SCHEMA_PREDICATES:
        yield None, predicate, None
    for kind in _SCHEMA_TYPES:
        yield None, _TYPE, kind


def is_schema(triple: Triple) -> bool:
    """Whether a triple says something about classes or properties (closed by owlrl)."""
    _s, p, o = triple
    return p in SCHEMA_PREDICATES or (p == _TYPE and o in _SCHEMA_TYPES)


_TYPE = RDF.type  # rdflib's namespace attributes cost a lookup each: read once


_SCHEMA_TYPES = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        OWL.Restriction,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDF.Property,
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.Ontology,
        *UNSUPPORTED_TYPES,
    }
)


class Schema:
    """The instance-level rule tables read from a closed schema."""

    def __init__(self, schema: Graph) -> None:
        self._refuse_unsupported(schema)
        self.super_classes: dict[Node, set[Node]] = defaultdict(set)
        for c, d in schema.subject_objects(RDFS.subClassOf):
            if c != d:
                self.super_classes[c].add(d)
        for c, d in schema.subject_objects(OWL.equivalentClass):
            if c != d:
                self.super_classes[c].add(d)
                self.super_classes[d].add(c)
        self.super_properties: dict[Node, set[Node]] = defaultdict(set)
        for p, q in schema.subject_objects(RDFS.subPropertyOf):
            if p != q:
                self.super_properties[p].add(q)
        for p, q in schema.subject_objects(OWL.equivalentProperty):
            if p != q:
                self.super_properties[p].add(q)
                self.super_properties[q].add(p)
        self.inverses: dict[Node, set[Node]] = defaultdict(set)
        for p, q in schema.subject_objects(OWL.inverseOf):
            self.inverses[p].add(q)
            self.inverses[q].add(p)
        self.domains: dict[Node, set[Node]] = defaultdict(set)
        for p, c in schema.subject_objects(RDFS.domain):
            self.domains[p].add(c)
        self.ranges: dict[Node, set[Node]] = defaultdict(set)
        for p, c in schema.subject_objects(RDFS.range):
            self.ranges[p].add(c)
        self.transitive = set(schema.subjects(RDF.type, OWL.TransitiveProperty))
        self.symmetric = set(schema.subjects(RDF.type, OWL.SymmetricProperty))
        #: (chain, result): ``p1 o ... o pn`` implies ``result``; indexed by each link.
        self.chains: dict[Node, list[tuple[tuple[Node, ...], Node]]] = defaultdict(list)
        for q, head in schema.subject_objects(OWL.propertyChainAxiom):
            chain = tuple(Collection(schema, head))
            for link in set(chain):
                self.chains[link].append((chain, q))
        #: class -> properties on which its members have a self-loop.
        self.has_self: dict[Node, set[Node]] = defaultdict(set)
        #: class -> (property, value) its members have; and back.
        self.has_value: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self.value_classes: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        for r in set(schema.subjects(OWL.onProperty, None)):
            prop = schema.value(r, OWL.onProperty)
            assert prop is not None  # r is a subject of owl:onProperty
            if (r, OWL.hasSelf, None) in schema:
                self.has_self[r].add(prop)
            for value in schema.objects(r, OWL.hasValue):
                self.has_value[r].add((prop, value))
                self.value_classes[prop].add((value, r))

    @staticmethod
    def _refuse_unsupported(schema: Graph) -> None:
        for kind in UNSUPPORTED_TYPES:
            if (None, RDF.type, kind) in schema:
                raise Unsupported(f"the schema uses {kind}")
        for predicate in UNSUPPORTED_PREDICATES:
            for s, o in schema.subject_objects(predicate):
                if predicate != OWL.sameAs or s != o:  # owlrl's eq-ref adds reflexive sameAs
                    raise Unsupported(f"the schema uses {predicate}")
        for r in schema.subjects(OWL.onProperty, None):
            if (r, OWL.hasSelf, None) not in schema and (r, OWL.hasValue, None) not in schema:
                raise Unsupported(f"restriction {r} is neither owl:hasSelf nor owl:hasValue")


Ids = tuple[int, int, int]

#: How a queued triple was concluded, when through a hierarchy: ``BY_CLASS``, ``(x a D)`` from
#: ``(x a C)`` and ``C`` below ``D``; ``BY_PROPERTY``, ``(x q y)`` from ``(x p y)`` and ``p`` below
#: ``q``. Both tables are transitively closed, so what is above ``D`` (or ``q``) is above ``C`` (or
#: ``p``) and was concluded with it: firing the same table again on the inherited triple would only
#: find known triples (most of the chainer's work on a deep class hierarchy). Every other rule fires.
INHERITED = NOT_INHERITED, BY_CLASS, BY_PROPERTY = 0, 1, 2


def _transitive(table: dict[Node, set[Node]]) -> dict[Node, set[Node]]:
    """``table`` (each node to the nodes right above it) to every node above it, itself left out."""
    closed: dict[Node, set[Node]] = {}
    for node in table:
        above: set[Node] = set()
        frontier = list(table[node])
        while frontier:
            up = frontier.pop()
            if up not in above:
                above.add(up)
                frontier.extend(table.get(up, ()))
        above.discard(node)
        closed[node] = above
    return closed


class Chainer:
    """Indexed triples plus the worklist that closes them under a :class:`Schema`'s rules.

    Terms are interned to integers as they arrive: every join and every
    "seen it?" test then hashes small ints instead of rdflib terms (whose
    ``__hash__`` is Python code), and the indexes hold ints, not terms.
    """

    def __init__(self, schema: Schema, known: Iterable[Triple]) -> None:
        self.ids: dict[Node, int] = {}
        self.terms: list[Node] = []
        self.literals: set[int] = set()
        enc = self._id
        self.type = enc(RDF.type)

        def table(pairs: dict[Node, set[Node]]) -> dict[int, tuple[int, ...]]:
            return {enc(k): tuple(enc(v) for v in vs) for k, vs in pairs.items()}

        # closed here, whatever the schema's closure gave: a triple inherited through one of these
        # tables then needs no second pass through it (see :meth:`_fire`)
        self.super_classes = table(_transitive(schema.super_classes))
        self.super_properties = table(_transitive(schema.super_properties))
        self.inverses = table(schema.inverses)
        # each domain and range with the classes above it: a type concluded from them is then
        # concluded with all of its own (and queued as inherited, like those of the class hierarchy)
        self.domains = self._with_supers(table(schema.domains))
        self.ranges = self._with_supers(table(schema.ranges))
        self.has_self = table(schema.has_self)
        self.transitive = {enc(p) for p in schema.transitive}
        self.symmetric = {enc(p) for p in schema.symmetric}
        self.chains = {
            enc(link): [(tuple(enc(x) for x in chain), enc(q)) for chain, q in rules]
            for link, rules in schema.chains.items()
        }
        self.has_value = {
            enc(c): tuple((enc(p), enc(v)) for p, v in pairs) for c, pairs in schema.has_value.items()
        }
        self.value_classes = {
            enc(p): tuple((enc(v), enc(r)) for v, r in pairs) for p, pairs in schema.value_classes.items()
        }
        derivable = {q for qs in self.super_properties.values() for q in qs}
        derivable |= {q for qs in self.inverses.values() for q in qs}
        derivable |= {q for rules in self.chains.values() for _chain, q in rules}
        derivable |= {p for ps in self.has_self.values() for p in ps}
        derivable |= {p for pairs in self.has_value.values() for p, _v in pairs}
        #: Predicates whose triples the join rules read back (transitivity, chains): only these
        #: are indexed by subject and object.
        self.joined = self.transitive | set(self.chains)
        #: Predicates a rule fires on or can conclude; a triple of any other predicate (labels,
        #: quotes, sources) can neither fire nor be concluded, so it is never held at all.
        self.active = (
            {self.type}
            | derivable
            | self.joined
            | self.symmetric
            | set(self.super_properties)
            | set(self.inverses)
            | set(self.domains)
            | set(self.ranges)
            | set(self.value_classes)
        )
        self.triples: set[Ids] = set()
        self.out: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.new: list[Ids] = []
        #: Triples to fire, each with the hierarchy it was inherited through (:data:`INHERITED`).
        self._queue: deque[tuple[int, int, int, int]] = deque()
        for s, p, o in known:
            self._index((enc(s), enc(p), enc(o)))

    def _with_supers(self, classes: dict[int, tuple[int, ...]]) -> dict[int, tuple[int, ...]]:
        above = self.super_classes
        return {
            p: tuple(dict.fromkeys([*cs, *(d for c in cs for d in above.get(c, ()))]))
            for p, cs in classes.items()
        }

    def _id(self, term: Node) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
            if isinstance(term, Literal):
                self.literals.add(found)
        return found

    def _index(self, triple: Ids) -> bool:
        if triple in self.triples:
            return False
        self.triples.add(triple)
        s, p, o = triple
        if p in self.joined:
            self.out[p][s].add(o)
            self.into[p][o].add(s)
        return True

    def add(self, s: int, p: int, o: int, inherited: int = NOT_INHERITED) -> None:
        """Record a conclusion and queue it for the rules (``inherited``: see :data:`INHERITED`)."""
        if self._index((s, p, o)):
            self.new.append((s, p, o))
            self._queue.append((s, p, o, inherited))

    def predicates(self) -> list[Node]:
        """The predicates a rule fires on or concludes: the only instance triples worth seeding."""
        return [self.terms[p] for p in sorted(self.active)]

    def seed(self, triples: Iterable[Triple]) -> None:
        """Queue asserted triples: indexed and processed, but not reported as new."""
        enc, active = self._id, self.active
        for s, p, o in triples:
            predicate = enc(p)
            if predicate not in active:
                continue  # no rule reads or writes it: it cannot matter to the closure
            triple = (enc(s), predicate, enc(o))
            if self._index(triple):
                self._queue.append((*triple, NOT_INHERITED))

    def run(self) -> list[Triple]:
        """Apply the rules until nothing new follows; return the new triples."""
        self.close()
        terms = self.terms
        return [(terms[s], terms[p], terms[o]) for s, p, o in self.new]

    def close(self) -> None:
        """Apply the rules until nothing new follows (the new triples are ``self.new``, as ids)."""
        done = 0
        with counter("chain", "triples") as progress:
            while self._queue:
                self._fire(*self._queue.popleft())
                done += 1
                if done % 10_000 == 0:
                    progress.update(10_000)
            progress.update(done % 10_000)
        # the indexes only served the joins: free them before the conclusions are read out
        self.triples, self.out, self.into = set(), defaultdict(), defaultdict()

    def _fire(self, s: int, p: int, o: int, inherited: int) -> None:
        if p == self.type:
            if inherited != BY_CLASS:
                for d in self.super_classes.get(o, ()):
                    self.add(s, p, d, BY_CLASS)
            for prop in self.has_self.get(o, ()):
                self.add(s, prop, s)
            for prop, value in self.has_value.get(o, ()):
                self.add(s, prop, value)
        for value, restriction in self.value_classes.get(p, ()):
            if value == o:
                self.add(s, self.type, restriction)
        if inherited != BY_PROPERTY:
            for q in self.super_properties.get(p, ()):
                self.add(s, q, o, BY_PROPERTY)
        for c in self.domains.get(p, ()):
            self.add(s, self.type, c, BY_CLASS)
        if o in self.literals:
            return  # a literal is never a subject: no range, inverse, symmetry, transitivity or chain
        for q in self.inverses.get(p, ()):
            self.add(o, q, s)
        if p in self.symmetric:
            self.add(o, p, s)
        for c in self.ranges.get(p, ()):
            self.add(o, self.type, c, BY_CLASS)
        if p in self.transitive:
            # most of these joins find known triples (each is found once per path to it): test
            # membership here, and pay for a call only on what is new
            known = self.triples
            for x in list(self.into[p].get(s, ())):
                if (x, p, o) not in known:
                    self.add(x, p, o)
            for y in list(self.out[p].get(o, ())):
                if (s, p, y) not in known:
                    self.add(s, p, y)
        for chain, q in self.chains.get(p, ()):
            for i, link in enumerate(chain):
                if link != p:
                    continue
                for start in self._walk(s, chain[:i][::-1], self.into):
                    for end in self._walk(o, chain[i + 1 :], self.out):
                        self.add(start, q, end)

    @staticmethod
    def _walk(node: int, links: tuple[int, ...], index: dict[int, dict[int, set[int]]]) -> set[int]:
        """The nodes reached from ``node`` along ``links`` in ``index``'s direction."""
        frontier = {node}
        for link in links:
            step = index.get(link)
            if not step:
                return set()
            frontier = {n for f in frontier for n in step.get(f, ())}
            if not frontier:
                break
        return frontier
