"""What the audit scripts share: the prefixes, reading rows off the store, and finding a quote's line.

``lineage_audit.py`` and ``claims_audit.py`` list claims with the article line of each quote, so
that a reader can open the paragraph; they run as scripts (``python scripts/x.py``), which puts
this folder on the import path.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tkg.store import EmbeddedStore  # noqa: E402

PREFIXES = """
PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""


def slug(iri: str) -> str:
    """The last segment of an IRI, after ``/`` or ``#``."""
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def rows(store: EmbeddedStore, query: str) -> list[dict[str, str]]:
    """A SELECT's rows as strings (an unbound variable as ``""``)."""
    solutions = store.query(query)._raw
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    out = []
    for solution in solutions:  # type: ignore[union-attr]
        out.append({n: (solution[n].value if solution[n] is not None else "") for n in names})
    return out


def read_articles() -> dict[str, list[str]]:
    """Each article's lines, by file name."""
    return {
        path.name: path.read_text(encoding="utf-8").splitlines()
        for path in (ROOT / "data" / "articles").glob("*.txt")
    }


def line_of(articles: dict[str, list[str]], file: str, quote: str) -> str:
    """The 1-based line of the article the quote starts on ('?' if not found line by line)."""
    wanted = re.sub(r"\s+", " ", quote).strip()
    lines = articles.get(file, [])
    for number, line in enumerate(lines, 1):
        if wanted in re.sub(r"\s+", " ", line):
            return str(number)
    # A quote over several lines: find where its first words are.
    head = " ".join(wanted.split()[:6])
    for number, line in enumerate(lines, 1):
        if head in re.sub(r"\s+", " ", line):
            return f"{number}+"
    return "?"
