"""The description of one resource: what a dereferenced IRI answers with.

A description holds the resource's own statements, the statements that point
at it, the statements about its evidence and about the claims
(``tkg:Claim``) that reify statements about it (so the provenance travels with
the data), and the labels of everything it mentions. Each statement keeps the
named graph it comes from, so a page can mark what the reasoner inferred.
Everything is read through :class:`~tkg.reads.Reader` (the app's queries
``describe.rq``, ``labels.rq``, ``exists.rq``), with its time budget and caps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import GRAPH_INFERRED, ID, KINDS, RDFS_LABEL
from .reads import Reader

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def resource_iri(kind: str, slug: str) -> str | None:
    """The canonical IRI of ``id/{kind}/{slug}``, or ``None`` if it cannot be one of ours."""
    if kind not in KINDS or not SLUG.match(slug):
        return None
    return f"{ID}{kind}/{slug}"


@dataclass(frozen=True)
class Statement:
    subject: ox.NamedNode | ox.BlankNode
    predicate: ox.NamedNode
    object: Term
    graph: str

    @property
    def inferred(self) -> bool:
        return self.graph == GRAPH_INFERRED

    def triple(self) -> ox.Triple:
        return ox.Triple(self.subject, self.predicate, self.object)


@dataclass
class Description:
    iri: str
    statements: list[Statement]
    labels: dict[str, str] = field(default_factory=dict)
    label_triples: list[ox.Triple] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return any(s.subject == ox.NamedNode(self.iri) for s in self.statements)

    def triples(self) -> list[ox.Triple]:
        """The description as a graph: the statements plus the labels of what they mention, each once,
        in one order (the documents' bytes do not depend on the engine or its plan)."""
        found = {s.triple() for s in self.statements}
        found.update(self.label_triples)
        return sorted(found, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))

    def quads(self) -> list[ox.Quad]:
        """The statements in their named graphs (labels of linked resources are already among them)."""
        found = {ox.Quad(s.subject, s.predicate, s.object, ox.NamedNode(s.graph)) for s in self.statements}
        return sorted(
            found, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
        )

    def label(self, term: Term | str) -> str:
        value = term if isinstance(term, str) else term.value
        return self.labels.get(value) or local_name(value)


def exists(reader: Reader, iri: str) -> bool:
    """Whether the graph says anything about ``iri`` (cheaper than describing it)."""
    return reader.ask("exists", iri=ox.NamedNode(iri))


def describe(reader: Reader, iri: str) -> Description:
    """Everything the service says about ``iri`` (an IRI checked by :func:`resource_iri` or similar)."""
    statements = []
    for row in reader.select("describe", iri=ox.NamedNode(iri)):
        graph, predicate = row["g"], row["p"]
        assert isinstance(graph, ox.NamedNode) and isinstance(predicate, ox.NamedNode)
        subject, obj = row["s"], row["o"]
        assert isinstance(subject, ox.NamedNode | ox.BlankNode) and not isinstance(obj, ox.Triple)
        statements.append(Statement(subject, predicate, obj, graph.value))
    description = Description(iri, statements)
    mentioned = {iri}
    for s in statements:
        mentioned.update(t.value for t in (s.subject, s.predicate, s.object) if isinstance(t, ox.NamedNode))
    found = best_labels(reader, mentioned)
    description.labels = {iri: label_text(triple) for iri, triple in found.items()}
    description.label_triples = list(found.values())
    return description


def best_labels(reader: Reader, iris: set[str]) -> dict[str, ox.Triple]:
    """The label statement of each IRI that has one: English first, then ``rdfs:label``."""
    if not iris:
        return {}
    found: dict[str, tuple[tuple[int, int], ox.Triple]] = {}
    for row in reader.select("labels", x=[ox.NamedNode(i) for i in sorted(iris)]):
        subject, literal, predicate = row["x"], row["label"], row["p"]
        if not (isinstance(literal, ox.Literal) and isinstance(predicate, ox.NamedNode)):
            continue
        assert isinstance(subject, ox.NamedNode)
        rank = ({"en": 0, None: 1}.get(literal.language, 2), 0 if predicate.value == RDFS_LABEL else 1)
        iri = subject.value
        if iri not in found or rank < found[iri][0]:
            found[iri] = (rank, ox.Triple(subject, predicate, literal))
    return {iri: triple for iri, (_, triple) in found.items()}


def labels(reader: Reader, iris: set[str]) -> dict[str, str]:
    """The best label text of each IRI that has one."""
    return {iri: label_text(t) for iri, t in best_labels(reader, iris).items()}


def label_text(triple: ox.Triple) -> str:
    """The text of a label statement's literal."""
    return triple.object.value if isinstance(triple.object, ox.Literal) else ""


def local_name(iri: str) -> str:
    """The last segment of an IRI, for things without a label."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri
