"""OWL 2 RL reasoning with owlrl, plus the one extension rule the ontology relies on.

``tkg:derivedFrom`` is a property chain through ``tkg:lineageStep``, a
self-loop that only lineage events carry (``owl:hasSelf`` on
``tkg:LineageEvent``). OWL 2 RL has no rule for ``owl:hasSelf``, so the
semantics below adds owlrl's own self-restriction rule (from
``owlrl.OWLRLExtras``) to plain OWL 2 RL, without the RDFS and datatype
machinery of the full extension.
"""

from __future__ import annotations

import owlrl
from owlrl.OWLRL import OWLRL_Semantics
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal

from .namespaces import TKG

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


def closure(ontology: Graph, data: Graph) -> Graph:
    """The full OWL 2 RL closure of ontology plus data (a new graph)."""
    graph = Graph()
    graph += ontology
    graph += data
    owlrl.DeductiveClosure(TkgSemantics).expand(graph)
    return graph


def is_noise(triple: tuple) -> bool:
    """Reasoner output nobody asked for: trivia about built-ins, tautologies, scaffolding."""
    s, p, o = triple
    if isinstance(s, Literal) or (isinstance(s, BNode) and p != RDF.type):
        return True
    if str(s).startswith(BUILT_IN):
        return True
    if p == OWL.sameAs and s == o:
        return True
    if p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty) and s == o:
        return True
    if p == RDF.type and (o in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual) or isinstance(o, BNode)):
        return True
    if p in (RDFS.subClassOf, OWL.equivalentClass) and (
        o in (OWL.Thing, RDFS.Resource) or isinstance(o, BNode)
    ):
        return True
    return p == TKG.lineageStep


def infer(ontology: Graph, data: Graph) -> Graph:
    """The triples the reasoner adds to ontology plus data, without the noise."""
    full = closure(ontology, data)
    inferred = Graph()
    for triple in full:
        if triple in data or triple in ontology or is_noise(triple):
            continue
        inferred.add(triple)
    return inferred
