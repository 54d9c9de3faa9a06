"""Evidence and claims: give each quote and each claim a stable IRI, and check every quote.

Curators write evidence as blank nodes (``tkg:evidence [ dcterms:source …;
oa:exact "…" ]``); the build names them ``id/evidence/{words}-{hash}`` from the
quote itself, so the same quote from the same article is one resource and its
IRI never depends on file order. Each gets an English ``rdfs:label`` (the
source's title and the quote's first words) so that lists and pages can name it.

Reified statements (``[] a tkg:Claim ; rdf:subject …``) are named the same way,
``id/claim/{subject}-{predicate}-{hash}`` from the triple they are about: a claim
can then be dereferenced and cited, and the same triple claimed in two files is
one claim with the evidence of both. Claims are labelled too, from the labels of
the triple's terms ("Alpha League founded 1950").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from .graphview import Readable, StoreGraph
from .namespaces import ID, OA, TKG, canonical
from .storage import to_ox, to_rdflib
from .turtle import Term, Triple

Triple3 = tuple[Node, Node, Node]
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Collapse runs of whitespace, so a quote may wrap lines differently from its article."""
    return _SPACE.sub(" ", text).strip()


def slug_words(text: str, limit: int = 8) -> str:
    """Lowercase ASCII words of ``text`` joined by ``-`` (accents folded)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(_WORD.findall(ascii_text)[:limit])


def evidence_iri(source: str, quote: str) -> URIRef:
    """The IRI of a quote from a source: its first words plus a short hash of both."""
    # Hashed under the canonical base: a deployment's evidence IRI is the canonical one, rebased.
    digest = hashlib.sha256(f"{canonical(source)}\n{normalise(quote)}".encode()).hexdigest()[:8]
    words = slug_words(quote) or "quote"
    return URIRef(f"{ID}evidence/{words}-{digest}")


def claim_iri(subject: URIRef, predicate: URIRef, obj: object) -> URIRef:
    """The IRI of a claim: the subject's slug, the predicate's name and a hash of the triple.

    >>> x, y = (URIRef(f"https://w3id.org/trotskyism/id/org/{n}") for n in "xy")
    >>> str(claim_iri(x, TKG.sectionOf, y))
    'https://w3id.org/trotskyism/id/claim/x-section-of-4f41547b'
    """
    terms = (URIRef(canonical(t)) if isinstance(t, URIRef) else t for t in (subject, predicate, obj))
    triple = "\n".join(t.n3() for t in terms)  # type: ignore[attr-defined]
    digest = hashlib.sha256(triple.encode()).hexdigest()[:8]
    about = slug_words(str(subject).rstrip("/").rsplit("/", 1)[-1], limit=10) or "claim"
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", re.split(r"[#/]", str(predicate))[-1])
    return URIRef(f"{ID}claim/{about}-{slug_words(name) or 'statement'}-{digest}")


def evidence_label(source_title: str, quote: str, words: int = 8) -> str:
    """A short English name for a quote: its source's title and its first words.

    >>> evidence_label("Trotskyism", "Trotsky founded the International Left Opposition in 1930.", 4)
    'Trotskyism: “Trotsky founded the International…”'
    """
    split = normalise(quote).split(" ")
    head = " ".join(split[:words])
    ellipsis = "\u2026" if len(split) > words else ""
    return f"{source_title}: \u201c{head}{ellipsis}\u201d"


_EVIDENCE, _TYPE, _CLAIM = (ox.NamedNode(str(t)) for t in (TKG.evidence, RDF.type, TKG.Claim))
_SOURCE, _EXACT, _EVIDENCE_CLASS = (ox.NamedNode(str(t)) for t in (DCTERMS.source, OA.exact, TKG.Evidence))
_SUBJECT, _PREDICATE, _OBJECT = (ox.NamedNode(str(t)) for t in (RDF.subject, RDF.predicate, RDF.object))


def name_blank_nodes(triples: list[Triple]) -> tuple[list[Triple], int]:
    """The triples with blank-node evidence, then blank-node claims, named; and how many quotes were named.

    Works on one file's triples (pyoxigraph terms) before they are stored: a
    blank node is its file's own, so everything about it is there.
    :func:`skolemise` does the same to a whole rdflib graph.
    """
    about = _blank_index(triples)
    evidence: dict[Term, ox.NamedNode] = {}
    for node in dict.fromkeys(o for _, p, o in triples if p == _EVIDENCE):
        if not isinstance(node, ox.BlankNode):
            continue
        source, quote = (_first(about, node, p) for p in (_SOURCE, _EXACT))
        if source is not None and quote is not None:  # else left for SHACL to report with its owner
            evidence[node] = ox.NamedNode(str(evidence_iri(source.value, quote.value)))
    triples = _renamed(triples, evidence) + [(new, _TYPE, _EVIDENCE_CLASS) for new in evidence.values()]
    about = _blank_index(triples)
    claims: dict[Term, ox.NamedNode] = {}
    for node in dict.fromkeys(s for s, p, o in triples if p == _TYPE and o == _CLAIM):
        if not isinstance(node, ox.BlankNode):
            continue
        subject, predicate, obj = (_first(about, node, p) for p in (_SUBJECT, _PREDICATE, _OBJECT))
        if not isinstance(subject, ox.NamedNode) or not isinstance(predicate, ox.NamedNode) or obj is None:
            continue  # left for SHACL to report
        if len(about[node][_OBJECT]) > 1 or len(about[node][_SUBJECT]) > 1:
            continue  # malformed: SHACL says so, with the blank node
        # named from the rdflib terms: the hash is over their N3, as it always was
        iri = claim_iri(URIRef(subject.value), URIRef(predicate.value), to_rdflib(obj))
        claims[node] = ox.NamedNode(str(iri))
    return _renamed(triples, claims), len(evidence)


def _blank_index(triples: list[Triple]) -> dict[Term, dict[Term, dict[Term, None]]]:
    """Blank subject to predicate to its distinct objects, in file order."""
    index: dict[Term, dict[Term, dict[Term, None]]] = defaultdict(lambda: defaultdict(dict))
    for s, p, o in triples:
        if isinstance(s, ox.BlankNode):
            index[s][p][o] = None
    return index


def _first(index: dict[Term, dict[Term, dict[Term, None]]], node: Term, predicate: Term) -> Term | None:
    return next(iter(index[node][predicate]), None)


def _renamed(triples: list[Triple], names: dict[Term, ox.NamedNode]) -> list[Triple]:
    if not names:
        return triples
    return [(names.get(s, s), p, names.get(o, o)) for s, p, o in triples]  # type: ignore[misc]


def skolemise(graph: Graph) -> int:
    """Name blank-node evidence and claims of a whole rdflib graph and label them; return how many
    quotes were named (the reference the per-file naming is tested against)."""
    before = [(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]
    triples, count = name_blank_nodes(before)  # type: ignore[arg-type]
    if triples != before:
        graph.remove((None, None, None))
        graph.addN((to_rdflib(s), to_rdflib(p), to_rdflib(o), graph) for s, p, o in triples)
    label(graph)
    return count


def label(graph: Graph) -> None:
    """Give named evidence and claims without an English label one (they read other files' labels)."""
    graph.addN((s, p, o, graph) for s, p, o in evidence_labels(graph))
    graph.addN((s, p, o, graph) for s, p, o in claim_labels(graph))


def label_store(store: ox.Store, graph_iri: str) -> int:
    """:func:`label` for a named graph of ``store``: the labels are added to it; return how many."""
    name = ox.NamedNode(graph_iri)
    added = 0
    for labels in (evidence_labels, claim_labels):  # claims read the graph with the evidence labelled
        new = labels(StoreGraph(store, [graph_iri]))
        store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in new)  # type: ignore[arg-type]
        added += len(new)
    return added


def _english_label(graph: Readable, term: object) -> str:
    """The English label of ``term`` in ``graph``, or its local name, or the literal's text."""
    if isinstance(term, Literal):
        return str(term)
    for label in graph.objects(term, RDFS.label):  # type: ignore[arg-type]
        if getattr(label, "language", None) == "en":
            return str(label)
    return re.split(r"[#/]", str(term))[-1]


def claim_label(subject: str, predicate: URIRef, obj: str) -> str:
    """A claim's name: the subject's label, the predicate's name in words, the object's label.

    >>> claim_label("Alpha League", TKG.sectionOf, "Fourth International")
    'Alpha League section of Fourth International'
    """
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", re.split(r"[#/]", str(predicate))[-1]).lower()
    return f"{subject} {name} {obj}"


def claim_labels(graph: Readable) -> list[Triple3]:
    """A label for every named ``tkg:Claim`` without an English one, made from its triple."""
    new: list[Triple3] = []
    for node in set(graph.subjects(RDF.type, TKG.Claim)):
        if isinstance(node, BNode) or any(
            getattr(label, "language", None) == "en" for label in graph.objects(node, RDFS.label)
        ):
            continue
        subject, predicate, obj = (graph.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        if subject is None or not isinstance(predicate, URIRef) or obj is None:
            continue
        text = claim_label(_english_label(graph, subject), predicate, _english_label(graph, obj))
        new.append((node, RDFS.label, Literal(text, lang="en")))
    return new


def evidence_labels(graph: Readable) -> list[Triple3]:
    """A label for every ``tkg:Evidence`` without an English one, from its source and quote."""
    new: list[Triple3] = []
    for node in set(graph.subjects(RDF.type, TKG.Evidence)):
        if any(getattr(label, "language", None) == "en" for label in graph.objects(node, RDFS.label)):
            continue
        source = graph.value(node, DCTERMS.source)
        quote = graph.value(node, OA.exact)
        if source is None or quote is None:
            continue
        title = (
            graph.value(source, DCTERMS.title)
            or graph.value(source, RDFS.label)
            or str(source).rsplit("/", 1)[-1]
        )
        new.append((node, RDFS.label, Literal(evidence_label(str(title), str(quote)), lang="en")))
    return new


@dataclass(frozen=True)
class QuoteProblem:
    """A quote that is not in the article it cites."""

    evidence: str
    claims: tuple[str, ...]
    source: str
    file: str | None
    quote: str
    reason: str

    def __str__(self) -> str:
        claims = ", ".join(self.claims) or "(no claim)"
        return (
            f"{self.reason}: evidence {self.evidence} for {claims} cites {self.source}"
            f" ({self.file or 'no file'}): \u201c{self.quote}\u201d"
        )


class Articles:
    """The article texts, whitespace-normalised, by file name."""

    def __init__(self, seeds_dir: Path) -> None:
        self.seeds_dir = seeds_dir
        self._texts: dict[str, str] = {}

    def text(self, name: str) -> str | None:
        if name not in self._texts:
            path = self.seeds_dir / name
            if not path.is_file():
                return None
            self._texts[name] = normalise(path.read_text(encoding="utf-8"))
        return self._texts[name]

    def digest(self) -> str:
        """A hash of every article, part of the dataset version."""
        h = hashlib.sha256()
        for path in sorted(self.seeds_dir.glob("*.txt")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
        return h.hexdigest()


def check_quotes(graph: Readable, articles: Articles) -> list[QuoteProblem]:
    """Every ``oa:exact`` must occur verbatim (whitespace-normalised) in its source's file."""
    problems: list[QuoteProblem] = []
    for evidence in sorted(set(graph.subjects(OA.exact, None)), key=str):
        claims = tuple(sorted(str(s) for s in graph.subjects(TKG.evidence, evidence)))
        for quote in graph.objects(evidence, OA.exact):
            sources = list(graph.objects(evidence, DCTERMS.source))
            if not sources:
                problems.append(QuoteProblem(str(evidence), claims, "(none)", None, str(quote), "no source"))
                continue
            for source in sources:
                file = graph.value(source, TKG.file)
                text = articles.text(str(file)) if file is not None else None
                if file is None:
                    reason = "source has no tkg:file"
                elif text is None:
                    reason = f"article file not found in {articles.seeds_dir}"
                elif not isinstance(quote, Literal) or normalise(str(quote)) not in text:
                    reason = "quote not found verbatim in the article"
                else:
                    continue
                problems.append(
                    QuoteProblem(
                        str(evidence),
                        claims,
                        str(source),
                        str(file) if file is not None else None,
                        str(quote),
                        reason,
                    )
                )
    return problems
