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
from collections.abc import Iterable

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


def is_schema(triple: Triple) -> bool:
    """Whether a triple says something about classes or properties (closed by owlrl)."""
    _s, p, o = triple
    return p in SCHEMA_PREDICATES or (p == RDF.type and o in _SCHEMA_TYPES)


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


class Chainer:
    """Indexed triples plus the worklist that closes them under a :class:`Schema`'s rules."""

    def __init__(self, schema: Schema, known: Iterable[Triple]) -> None:
        self.schema = schema
        self.triples: set[Triple] = set()
        self.out: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.new: list[Triple] = []
        self._queue: deque[Triple] = deque()
        for triple in known:
            self._index(triple)

    def _index(self, triple: Triple) -> bool:
        if triple in self.triples:
            return False
        s, p, o = triple
        self.triples.add(triple)
        self.out[p][s].add(o)
        self.into[p][o].add(s)
        return True

    def add(self, s: Node, p: Node, o: Node) -> None:
        """Record a conclusion (or a seed) and queue it for the rules."""
        if self._index((s, p, o)):
            self.new.append((s, p, o))
            self._queue.append((s, p, o))

    def seed(self, triples: Iterable[Triple]) -> None:
        """Queue asserted triples: indexed and processed, but not reported as new."""
        for triple in triples:
            if self._index(triple):
                self._queue.append(triple)

    def run(self) -> list[Triple]:
        """Apply the rules until nothing new follows; return the new triples."""
        done = 0
        with counter("chain", "triples") as progress:
            while self._queue:
                self._fire(*self._queue.popleft())
                done += 1
                if done % 10_000 == 0:
                    progress.update(10_000)
            progress.update(done % 10_000)
        return self.new

    def _fire(self, s: Node, p: Node, o: Node) -> None:
        schema = self.schema
        if p == RDF.type:
            for d in schema.super_classes.get(o, ()):
                self.add(s, RDF.type, d)
            for prop in schema.has_self.get(o, ()):
                self.add(s, prop, s)
            for prop, value in schema.has_value.get(o, ()):
                self.add(s, prop, value)
        for value, restriction in schema.value_classes.get(p, ()):
            if value == o:
                self.add(s, RDF.type, restriction)
        for q in schema.super_properties.get(p, ()):
            self.add(s, q, o)
        if isinstance(o, Literal):
            for c in schema.domains.get(p, ()):
                self.add(s, RDF.type, c)
            return  # a literal is never a subject: no inverse, symmetry, transitivity or chain
        for q in schema.inverses.get(p, ()):
            self.add(o, q, s)
        if p in schema.symmetric:
            self.add(o, p, s)
        for c in schema.domains.get(p, ()):
            self.add(s, RDF.type, c)
        for c in schema.ranges.get(p, ()):
            self.add(o, RDF.type, c)
        if p in schema.transitive:
            for x in list(self.into[p].get(s, ())):
                self.add(x, p, o)
            for y in list(self.out[p].get(o, ())):
                self.add(s, p, y)
        for chain, q in schema.chains.get(p, ()):
            for i, link in enumerate(chain):
                if link != p:
                    continue
                for start in self._walk(s, chain[:i][::-1], self.into):
                    for end in self._walk(o, chain[i + 1 :], self.out):
                        self.add(start, q, end)

    @staticmethod
    def _walk(node: Node, links: tuple[Node, ...], index: dict) -> set[Node]:
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
