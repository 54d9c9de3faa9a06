"""OWL 2 RL reasoning: owlrl (the reasoner of record) and the fast path the build uses.

``tkg:derivedFrom`` is a property chain through ``tkg:lineageStep``, a
self-loop that only lineage events carry (``owl:hasSelf`` on
``tkg:LineageEvent``). OWL 2 RL has no rule for ``owl:hasSelf``, so the
semantics below adds owlrl's own self-restriction rule (from
``owlrl.OWLRLExtras``) to plain OWL 2 RL, without the RDFS and datatype
machinery of the full extension.

owlrl is slow on instance data (tens of seconds on the real graph, minutes at
scale), so :func:`infer` by default closes only the schema with owlrl and the
instance data with the specialised chainer of :mod:`tkg.rules`, which gives
exactly owlrl's conclusions (a test compares them on the real and on a
generated graph) or refuses an ontology it cannot follow, in which case
owlrl does the whole closure.
"""

from __future__ import annotations

from collections.abc import Iterator

import owlrl
import pyoxigraph as ox
from owlrl.OWLRL import OWLRL_Semantics
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal

from .graphview import StoredTriples
from .namespaces import TKG
from .progress import bar
from .rules import Chainer, Schema, Unsupported, is_schema, schema_patterns
from .storage import bulk_extend, load, to_ox, to_ox_quad

REASONERS = ("fast", "owlrl")

BUILT_IN = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


class TkgSemantics(OWLRL_Semantics):
    """OWL 2 RL plus owlrl's self-restriction rule (``?y a ?z . ?z owl:hasSelf true``)."""

    def rules(self, t: tuple, cycle_num: int) -> None:
        super().rules(t, cycle_num)
        z, q, _ = t
        if q == OWL.hasSelf:
            for p in self.graph.objects(z, OWL.onProperty):
                for y in self.graph.subjects(RDF.type, z):
                    self.store_triple((y, p, y))


def closure(ontology: Graph, data: Graph | StoredTriples) -> Graph:
    """The full OWL 2 RL closure of ontology plus data (a new graph).

    The graph is one rdflib ``SimpleMemory`` store: owlrl only adds, finds and tests triples, and
    without the default store's named-graph bookkeeping these cost less (the same closure in about
    a fifth less CPU on the real graph).
    """
    graph = Graph(store="SimpleMemory")
    graph += ontology
    graph += data
    owlrl.DeductiveClosure(TkgSemantics).expand(graph)
    return graph


# rdflib's namespace attributes cost a lookup each time: read them once.
_TYPE, _SAME_AS, _LINEAGE_STEP = RDF.type, OWL.sameAs, TKG.lineageStep
_REFLEXIVE = frozenset((RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty))
#: An organisation renamed and later renamed back (the OCI, 1968) closes a cycle; that it "descends
#: from itself" is an artefact of transitivity, not lineage anyone states.
_LINEAGE_SELF = frozenset((TKG.descendsFrom, TKG.ancestorOf))
_TOP_TYPES = frozenset((OWL.Thing, RDFS.Resource, OWL.NamedIndividual))
_TOP_CLASSES = frozenset((OWL.Thing, RDFS.Resource))
_SUBCLASS = frozenset((RDFS.subClassOf, OWL.equivalentClass))


def is_noise(triple: tuple) -> bool:
    """Reasoner output nobody asked for: trivia about built-ins, tautologies, scaffolding.

    What it reads of a subject (literal, blank node, built-in) and of an object (blank node, top
    type, top class) is what :class:`NoiseByShape` keys its answers on: keep the two together.
    """
    s, p, o = triple
    if isinstance(s, Literal) or (isinstance(s, BNode) and p != _TYPE):
        return True
    if str(s).startswith(BUILT_IN):
        return True
    if s == o and (p == _SAME_AS or p in _REFLEXIVE or p in _LINEAGE_SELF):
        return True
    if p == _TYPE and (o in _TOP_TYPES or isinstance(o, BNode)):
        return True
    if p in _SUBCLASS and (o in _TOP_CLASSES or isinstance(o, BNode)):
        return True
    return p == _LINEAGE_STEP


class NoiseByShape:
    """:func:`is_noise` for the chainer's triples of ids, asked once per shape of triple.

    Its answer depends on the predicate, on whether subject and object are one term, and on a
    few facts about each (its flags below), so triples alike in these get the same answer: a few
    hundred shapes stand for millions of conclusions, each of which would cost a call of rdflib's
    hashing and ``isinstance`` checks.
    """

    def __init__(self, terms: list) -> None:
        self.terms = terms
        self._subjects: dict[int, int] = {}
        self._objects: dict[int, int] = {}
        self._answers: dict[tuple[int, int, int, bool], bool] = {}

    def __call__(self, s: int, p: int, o: int) -> bool:
        subject, obj = self._subjects.get(s), self._objects.get(o)
        if subject is None:
            term = self.terms[s]
            subject = self._subjects[s] = (
                isinstance(term, Literal) | isinstance(term, BNode) << 1 | str(term).startswith(BUILT_IN) << 2
            )
        if obj is None:
            term = self.terms[o]
            obj = self._objects[o] = (
                isinstance(term, BNode) | (term in _TOP_TYPES) << 1 | (term in _TOP_CLASSES) << 2
            )
        key = (subject, p, obj, s == o)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = is_noise((self.terms[s], self.terms[p], self.terms[o]))
        return answer


def fast_closure_additions(ontology: Graph, data: Graph | StoredTriples) -> set[tuple]:
    """What the full closure adds to ontology plus data: schema by owlrl, instances by the chainer.

    Nothing returned is in ``ontology`` or ``data``: the chainer reports only
    triples it did not know (it knows the closed schema and the seeded data).
    Raises :class:`~tkg.rules.Unsupported` when the schema needs rules the chainer lacks.
    """
    schema, chainer = _chained(ontology, data)
    added = set(chainer.run())
    added.update(_schema_additions(schema, ontology, data))
    return added


def _chained(ontology: Graph, data: Graph | StoredTriples) -> tuple[Graph, Chainer]:
    """The closed schema, and the chainer over it seeded with the instance data, not yet run."""
    schema = Graph()
    schema += ontology
    for pattern in schema_patterns():  # the data's schema triples, by index: the data is read once, below
        schema += data.triples(pattern)  # type: ignore[arg-type]
    owlrl.DeductiveClosure(TkgSemantics).expand(schema)
    chainer = Chainer(Schema(schema), schema)
    # only the predicates a rule reads or writes, by index: labels, quotes and sources (most of a
    # large graph) are never read out of the store nor made rdflib terms
    chainer.seed(
        triple
        for predicate in chainer.predicates()
        for triple in data.triples((None, predicate, None))  # type: ignore[arg-type]
        if not is_schema(triple)
    )
    return schema, chainer


def _schema_additions(schema: Graph, ontology: Graph, data: Graph | StoredTriples) -> Iterator[tuple]:
    return (t for t in schema if t not in ontology and t not in data)


def infer_into(
    store: ox.Store, graph_iri: str, ontology: Graph, data: StoredTriples, reasoner: str = "fast"
) -> int:
    """:func:`infer`, its conclusions written into the named graph ``graph_iri`` of ``store``.

    The fast path reads the chainer's conclusions out as integer ids, each term made a
    pyoxigraph term once, and streams them into the store: no set of rdflib triples.
    Returns how many triples were written.
    """
    name = ox.NamedNode(graph_iri)
    if reasoner == "fast":
        try:
            schema, chainer = _chained(ontology, data)
        except Unsupported:
            pass
        else:
            chainer.close()
            terms, converted = chainer.terms, [None] * len(chainer.terms)

            def term(i: int) -> ox.NamedNode | ox.BlankNode | ox.Literal:
                found = converted[i]
                if found is None:
                    found = converted[i] = to_ox(terms[i])  # type: ignore[call-overload]
                return found  # type: ignore[return-value]

            written, noise = 0, NoiseByShape(terms)

            def quads() -> Iterator[ox.Quad]:
                nonlocal written
                for s, p, o in chainer.new:
                    if not noise(s, p, o):
                        written += 1
                        yield ox.Quad(term(s), term(p), term(o), name)  # type: ignore[arg-type]
                for s_, p_, o_ in _schema_additions(schema, ontology, data):
                    if not is_noise((s_, p_, o_)):
                        written += 1
                        yield to_ox_quad(s_, p_, o_, name)

            bulk_extend(store, bar(quads(), "load inferred", "triples", len(chainer.new)))
            return written
    inferred = infer(ontology, data, reasoner)
    return load(store, graph_iri, inferred)


def infer(ontology: Graph, data: Graph | StoredTriples, reasoner: str = "fast") -> set[tuple]:
    """The triples the reasoner adds to ontology plus data, without the noise.

    A set of rdflib triples, not a Graph: it is only counted and written to
    the store, and an rdflib Graph would index every triple three times more.
    """
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r}; choose one of {', '.join(REASONERS)}")
    if reasoner == "fast":
        try:
            return {t for t in fast_closure_additions(ontology, data) if not is_noise(t)}
        except Unsupported:
            pass
    return {t for t in closure(ontology, data) if not is_noise(t) and t not in data and t not in ontology}
