"""Name search: every label and other name, in every language, matched without case or accents.

The index is built once from the store (a few thousand names; a scan is
cheaper than keeping a full-text engine in step with each build). Names are
folded for comparison — Unicode decomposition with the accents dropped, case
folded, punctuation to spaces — and kept whole too, so that ``usfi`` finds
``USFI`` and ``U.S.F.I.`` alike, and ``verite`` finds ``La Vérité``. Results
are ranked: an exact name, then an acronym, a prefix, every word, a substring,
and last a name that matches with typos (each word of the query within a small
edit distance of a word of the name, ``trotksy`` for ``Trotsky``: rapidfuzz
compares the query's words with the index's vocabulary of words, in C); a main
label before an other name; then the shorter name. Each hit also carries a
similarity (0-100, order of words ignored) and whether it is an exact name, which
the Reconciliation API turns into its scores and ``match``. The index also
knows the classes of each resource (asserted and inferred ``rdf:type``), so
that the pickers of the query pages (organisations only, people only) answer
from the same index as ``/search``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from .namespaces import ID, OURS, RDFS_LABEL
from .reads import Reader

NAMES = (
    RDFS_LABEL,
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel",
    "http://xmlns.com/foaf/0.1/name",
    "http://purl.org/dc/terms/title",
)
NON_WORD = re.compile(r"[\W_]+")
KIND_WEIGHT = {"org": 4, "person": 3, "event": 2, "position": 2, "periodical": 1, "term": 1}
#: Their labels are made by the build from a quote or a triple: descriptions, not names to search.
UNNAMED_KINDS = {"evidence", "claim"}
#: A query word matches a name word with typos when rapidfuzz's ratio (0-100, a normalised edit
#: distance) reaches this: one slip in a word of five letters or more, not in a short acronym.
TYPO_RATIO = 75
TYPO_MIN_LENGTH = 4
#: Distinct query words the typo tier compares with the vocabulary (names are shorter than this).
TYPO_MAX_WORDS = 16


def fold(text: str) -> str:
    """``text`` without accents, case or punctuation, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(NON_WORD.sub(" ", bare.casefold()).split())


@dataclass(frozen=True)
class Name:
    iri: str
    text: str
    language: str | None
    main: bool
    folded: str
    compact: str


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    matched: str
    language: str | None
    kind: str
    score: int
    #: How alike the query and the matched name are, 0-100, whatever the order of words.
    similarity: float = 0.0
    #: The query is this name, without case, accents, punctuation or spaces.
    exact: bool = False


def similarity(query: str, name: str) -> float:
    """How alike two texts are, 0-100, after folding; order of words and spaces between letters aside.

    >>> similarity("U.S.F.I.", "usfi"), similarity("Internationale, Vierte", "vierte internationale")
    (100.0, 100.0)
    >>> round(similarity("Leon Trotksy", "Leon Trotsky"))
    92
    """
    a, b = fold(query), fold(name)
    if not a or not b:
        return 0.0
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))


def kind_of(iri: str) -> str:
    return iri[len(ID) :].split("/", 1)[0] if iri.startswith(ID) else "term"


class SearchIndex:
    """The names of every resource and ontology term of a store."""

    def __init__(self, reader: Reader) -> None:
        self.names: list[Name] = []
        rows = reader.select(
            "search-names", p=[ox.NamedNode(p) for p in NAMES], base=[ox.Literal(b) for b in OURS]
        )
        for row in rows:
            literal, subject, predicate = row["name"], row["x"], row["p"]
            if not isinstance(literal, ox.Literal) or not isinstance(subject, ox.NamedNode):
                continue
            folded = fold(literal.value)
            if folded and kind_of(subject.value) not in UNNAMED_KINDS:
                main = isinstance(predicate, ox.NamedNode) and predicate.value == RDFS_LABEL
                main = main and literal.language in ("en", None)
                self.names.append(
                    Name(
                        subject.value, literal.value, literal.language, main, folded, folded.replace(" ", "")
                    )
                )
        self.types: dict[str, set[str]] = defaultdict(set)
        for row in reader.select("search-types", base=[ox.Literal(b) for b in OURS]):
            subject, rdf_type = row["x"], row["type"]
            if isinstance(subject, ox.NamedNode) and isinstance(rdf_type, ox.NamedNode):
                self.types[subject.value].add(rdf_type.value)
        #: Every word of every name, and the names that have it: the vocabulary typos are matched in.
        self.words: dict[str, list[int]] = defaultdict(list)
        for number, name in enumerate(self.names):
            for word in set(name.folded.split()):
                self.words[word].append(number)
        self.vocabulary = list(self.words)
        self.labels: dict[str, str] = {}
        for name in self.names:
            if name.main or name.iri not in self.labels:
                self.labels[name.iri] = name.text if name.main else self.labels.get(name.iri, name.text)

    def search(
        self, query: str, limit: int = 20, rdf_class: str | None = None, classes: frozenset[str] | None = None
    ) -> list[Hit]:
        """The best ``limit`` resources whose names match ``query``, best first.

        Only resources of ``rdf_class`` if given, or of one of ``classes`` if given.
        """
        q = fold(query)
        if not q:
            return []
        wanted = classes if classes is not None else frozenset({rdf_class}) if rdf_class else None
        words = q.split()
        compact = q.replace(" ", "")
        typos = self._typos(q, list(dict.fromkeys(words))[:TYPO_MAX_WORDS])
        best: dict[str, tuple[int, Name]] = {}
        for number, name in enumerate(self.names):
            if wanted is not None and wanted.isdisjoint(self.types.get(name.iri, ())):
                continue
            score = _score(name, q, words, compact)
            if score <= 0 and number in typos:
                score = typos[number]
            if score <= 0:
                continue
            score += 6 if name.main else 0
            score += KIND_WEIGHT.get(kind_of(name.iri), 0)
            if name.iri not in best or score > best[name.iri][0]:
                best[name.iri] = (score, name)
        # Ties (two resources sharing an other name) go to the one whose main label matches better.
        main = {n.iri: n for n in self.names if n.main}

        def tie_break(iri: str) -> int:
            return _score(main[iri], q, words, compact) if iri in main else 0

        ranked = sorted(
            best.values(),
            key=lambda item: (-item[0], -tie_break(item[1].iri), len(item[1].folded), item[1].folded),
        )
        return [
            Hit(
                n.iri,
                self.labels.get(n.iri, n.text),
                n.text,
                n.language,
                kind_of(n.iri),
                score,
                similarity(q, n.folded),
                n.folded == q or n.compact == compact,
            )
            for score, n in ranked[:limit]
        ]

    def _typos(self, q: str, words: list[str]) -> dict[int, int]:
        """Names (by number) in which every query word is a word, a word's start, or a word with a slip.

        Their score, 10-25 by the similarity of the whole name, ranks them below every exact kind of
        match, and a close short name above a long one that happens to hold the words.
        """
        closest: list[set[int]] = []
        slip = False
        for word in words:
            near: set[int] = set()
            if len(word) >= TYPO_MIN_LENGTH:
                found = process.extract(
                    word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_RATIO, limit=None
                )
                for other, _, _ in found:
                    slip = slip or other != word
                    near.update(self.words[other])
            for other in self.vocabulary:
                if other.startswith(word):
                    near.update(self.words[other])
            closest.append(near)
        if not slip:
            return {}  # every word is exact or a prefix: the exact tiers have said everything
        common = set.intersection(*closest) if closest else set()
        return {n: 10 + round(15 * similarity(q, self.names[n].folded) / 100) for n in common}


def _score(name: Name, q: str, words: list[str], compact: str) -> int:
    if name.folded == q:
        return 100
    if len(compact) > 1 and name.compact == compact:
        return 90  # U.S.F.I. for usfi, "Fourth International" for fourthinternational
    if name.folded.startswith(q):
        return 70
    name_words = name.folded.split()
    if all(any(w.startswith(part) for w in name_words) for part in words):
        return 50
    if q in name.folded:
        return 30
    return 0
