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
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from .graphview import Readable
from .namespaces import ID, OA, PREFIXES, TKG, canonical
from .reads import text
from .storage import bulk_extend, to_ox, to_ox_quad, to_rdflib
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
    about, linked, typed = _blank_index(triples)
    evidence: dict[Term, ox.NamedNode] = {}
    for node in linked:
        source, quote = (_first(about, node, p) for p in (_SOURCE, _EXACT))
        if source is not None and quote is not None:  # else left for SHACL to report with its owner
            evidence[node] = ox.NamedNode(str(evidence_iri(source.value, quote.value)))
    # The claims are read from the same index, their terms seen through the evidence's new names:
    # one index and one renaming pass where naming the evidence first took two of each.
    claims: dict[Term, ox.NamedNode] = {}
    for node in typed:
        if node in evidence:
            continue
        subject, predicate, obj = (_first(about, node, p, evidence) for p in (_SUBJECT, _PREDICATE, _OBJECT))
        if not isinstance(subject, ox.NamedNode) or not isinstance(predicate, ox.NamedNode) or obj is None:
            continue  # left for SHACL to report
        if any(len({evidence.get(t, t) for t in about[node][p]}) > 1 for p in (_OBJECT, _SUBJECT)):
            continue  # malformed: SHACL says so, with the blank node
        # named from the rdflib terms: the hash is over their N3, as it always was
        iri = claim_iri(URIRef(subject.value), URIRef(predicate.value), to_rdflib(obj))
        claims[node] = ox.NamedNode(str(iri))
    named = _renamed(triples, {**evidence, **claims})
    return named + [(new, _TYPE, _EVIDENCE_CLASS) for new in evidence.values()], len(evidence)


_Index = dict[Term, dict[Term, dict[Term, None]]]


def _blank_index(triples: list[Triple]) -> tuple[_Index, dict[Term, None], dict[Term, None]]:
    """In one scan of a file's triples: blank subject to predicate to its distinct objects, the blank
    nodes that are some ``tkg:evidence`` and the blank nodes typed ``tkg:Claim``, each in file order.
    Only a blank node costs a comparison of terms."""
    index: _Index = defaultdict(lambda: defaultdict(dict))
    linked: dict[Term, None] = {}
    typed: dict[Term, None] = {}
    blank = ox.BlankNode
    for s, p, o in triples:
        if isinstance(s, blank):
            index[s][p][o] = None
            if p == _TYPE and o == _CLAIM:
                typed[s] = None
        if isinstance(o, blank) and p == _EVIDENCE:
            linked[o] = None
    return index, linked, typed


def _first(
    index: _Index,
    node: Term,
    predicate: Term,
    names: dict[Term, ox.NamedNode] | None = None,
) -> Term | None:
    """The first object of ``node``'s ``predicate`` in file order, under its new name if it has one."""
    found = next(iter(index[node][predicate]), None)
    return found if names is None or found is None else names.get(found, found)


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
    """Give named evidence and claims without an English label one (they read other files' labels).

    For an rdflib graph (the tests' whole-graph reference): :func:`label_store` in a store made for it.
    """
    store, name = ox.Store(), ox.NamedNode("urn:tkg:label")
    store.bulk_extend(to_ox_quad(s, p, o, name) for s, p, o in graph)
    before = len(store)
    label_store(store, name.value)
    if len(store) > before:
        graph.addN(
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), graph)  # type: ignore[arg-type]
            for q in store.quads_for_pattern(None, ox.NamedNode(str(RDFS.label)), None, name)
        )


def label_store(store: ox.Store, graph_iri: str) -> int:
    """Label the named evidence and claims of one named graph of ``store`` that lack an English label.

    Two queries inside Oxigraph (``tkg/sparql/evidence-labels.rq``, ``claim-labels.rq``) whose
    rows are streamed into labels: nothing of the graph is held in Python. Claims are labelled
    after the evidence, reading the graph as it then is. Returns how many labels were added.
    """
    name = ox.NamedNode(graph_iri)
    added = 0
    for query, make in (("evidence-labels", _evidence_label), ("claim-labels", _claim_label)):
        rows = store.query(text(query), default_graph=name, prefixes=PREFIXES)
        assert isinstance(rows, ox.QuerySolutions)
        new = [
            ox.Quad(row[0], _LABEL, ox.Literal(made, language="en"), name)  # type: ignore[arg-type]
            for row in rows
            if (made := make(row)) is not None
        ]
        bulk_extend(store, new)
        added += len(new)
    return added


_LABEL = ox.NamedNode(str(RDFS.label))


def _evidence_label(row: ox.QuerySolution) -> str | None:
    """One row of ``evidence-labels.rq`` as a label: its source's title, label or name; its quote."""
    source, quote, title, label = row["source"], row["quote"], row["title"], row["label"]
    if source is None or quote is None:
        return None
    named = title or label
    return evidence_label(named.value if named is not None else source.value.rsplit("/", 1)[-1], quote.value)


def _claim_label(row: ox.QuerySolution) -> str | None:
    """The label of one row of ``claim-labels.rq``: subject, predicate and object by their English names."""
    subject, predicate, obj = row["subject"], row["predicate"], row["object"]
    if subject is None or predicate is None or obj is None:
        return None
    return claim_label(
        _english_label(subject, row["subjectLabel"]),
        URIRef(predicate.value),
        _english_label(obj, row["objectLabel"]),
    )


def _english_label(term: ox.NamedNode | ox.BlankNode | ox.Literal, label: object) -> str:
    """A term's English label, or its local name, or the literal's text."""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(label, ox.Literal):
        return label.value
    return re.split(r"[#/]", term.value)[-1]


def claim_label(subject: str, predicate: URIRef, obj: str) -> str:
    """A claim's name: the subject's label, the predicate's name in words, the object's label.

    >>> claim_label("Alpha League", TKG.sectionOf, "Fourth International")
    'Alpha League section of Fourth International'
    """
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", re.split(r"[#/]", str(predicate))[-1]).lower()
    return f"{subject} {name} {obj}"


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
