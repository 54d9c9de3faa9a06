"""List every ``tkg:sectionOf``, ``tkg:founded``, ``tkg:dissolved`` and ``tkg:Stance`` with its evidence.

Run after ``tkg build``::

    .venv/bin/python scripts/claims_audit.py            # readable listing
    .venv/bin/python scripts/claims_audit.py --table    # one Markdown row per claim (for the audit doc)
    .venv/bin/python scripts/claims_audit.py --gaps     # completeness hints (see below)

For each asserted claim it prints the evidence that the SHACL shapes accept for it, with the
article file and the line the quote is on (whitespace-insensitive search), so that the
paragraph around it can be read:

- ``X tkg:sectionOf Y``: a ``tkg:Claim`` about that triple, or a ``tkg:Affiliation`` event
  with ``X`` as original organisation and ``Y`` as host;
- ``X tkg:founded D``: a ``tkg:Claim`` about that triple, or an event with ``X`` as resulting
  organisation and date ``D``;
- ``X tkg:dissolved D``: a ``tkg:Claim``, or a ``tkg:Dissolution`` of ``X`` dated ``D``;
- a ``tkg:Stance``: its holder, position, date / from / until and its own evidence, and the
  stances it is said to contradict.

A claim with no such evidence is reported (the shapes would reject it). ``--gaps`` lists
organisations without ``tkg:founded`` that are the result of a dated founding event, and
article lines that say "section" or "sympathi..." so the completeness pass can be repeated.
The verdicts themselves are in ``docs/curation/claims-audit.md``.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict

from audit_common import PREFIXES, line_of, read_articles, rows, slug

from tkg.config import Settings
from tkg.store import EmbeddedStore

ASSERTED = "https://w3id.org/trotskyism/graph/asserted"

TRIPLES = (
    PREFIXES
    + f"""
SELECT ?s ?p ?o WHERE {{ GRAPH <{ASSERTED}> {{
  ?s ?p ?o FILTER (?p IN (tkg:sectionOf, tkg:founded, tkg:dissolved)) }} }} ORDER BY ?p ?s ?o
"""
)

CLAIM_EVIDENCE = (
    PREFIXES
    + """
SELECT ?s ?p ?o ?file ?quote WHERE {
  ?c a tkg:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; tkg:evidence ?e .
  FILTER (?p IN (tkg:sectionOf, tkg:founded, tkg:dissolved))
  ?e dcterms:source/tkg:file ?file ; oa:exact ?quote .
}
"""
)

SECTION_EVENTS = (
    PREFIXES
    + """
SELECT ?s ?o ?event ?file ?quote WHERE {
  ?event a tkg:Affiliation ; org:originalOrganization ?s ; tkg:hostOrganisation ?o ; tkg:evidence ?e .
  ?e dcterms:source/tkg:file ?file ; oa:exact ?quote .
}
"""
)

FOUNDED_EVENTS = (
    PREFIXES
    + """
SELECT ?s ?o ?event ?file ?quote WHERE {
  ?s tkg:founded ?o .
  ?event org:resultingOrganization ?s ; tkg:date ?o ; tkg:evidence ?e .
  ?e dcterms:source/tkg:file ?file ; oa:exact ?quote .
}
"""
)

DISSOLVED_EVENTS = (
    PREFIXES
    + """
SELECT ?s ?o ?event ?file ?quote WHERE {
  ?s tkg:dissolved ?o .
  ?event a tkg:Dissolution ; org:originalOrganization ?s ; tkg:date ?o ; tkg:evidence ?e .
  ?e dcterms:source/tkg:file ?file ; oa:exact ?quote .
}
"""
)

STANCES = (
    PREFIXES
    + f"""
SELECT ?st ?holder ?pos (SAMPLE(?d) AS ?date) (SAMPLE(?f) AS ?from) (SAMPLE(?u) AS ?until)
       (GROUP_CONCAT(DISTINCT STR(?x); separator=" ") AS ?contradicts)
WHERE {{ GRAPH <{ASSERTED}> {{
  ?st a tkg:Stance ; tkg:holder ?holder ; tkg:position ?pos .
  OPTIONAL {{ ?st tkg:date ?d }} OPTIONAL {{ ?st tkg:from ?f }} OPTIONAL {{ ?st tkg:until ?u }}
  OPTIONAL {{ {{ ?st tkg:contradicts ?x }} UNION {{ ?x tkg:contradicts ?st }} }}
}} }} GROUP BY ?st ?holder ?pos ORDER BY ?st
"""
)

STANCE_EVIDENCE = (
    PREFIXES
    + """
SELECT ?st ?file ?quote WHERE {
  ?st a tkg:Stance ; tkg:evidence ?e . ?e dcterms:source/tkg:file ?file ; oa:exact ?quote .
} ORDER BY ?st ?file ?quote
"""
)

UNFOUNDED = (
    PREFIXES
    + """
SELECT DISTINCT ?org ?event ?date WHERE {
  ?event a tkg:Founding ; org:resultingOrganization ?org ; tkg:date ?date .
  FILTER NOT EXISTS { ?org tkg:founded ?any }
} ORDER BY ?org
"""
)


def gaps(store: EmbeddedStore, articles: dict[str, list[str]]) -> None:
    print("## Organisations with a dated Founding event but no tkg:founded")
    for r in rows(store, UNFOUNDED):
        print(f"  {slug(r['org'])}  ({slug(r['event'])}, {r['date']})")
    print()
    print("## Article lines naming a section or sympathising group")
    pattern = re.compile(r"\bsection\b|\bsections\b|sympathi[sz]", re.IGNORECASE)
    for file in sorted(articles):
        for number, line in enumerate(articles[file], 1):
            for m in pattern.finditer(line):
                start = max(0, m.start() - 90)
                print(f"  {file[:3]}:{number}  …{line[start : m.end() + 90]}…")


def main() -> int:
    settings = Settings()
    store = EmbeddedStore(settings.current_store)
    articles = read_articles()
    if "--gaps" in sys.argv[1:]:
        gaps(store, articles)
        return 0

    evidence: dict[tuple[str, str, str], list[tuple[str, str, str]]] = defaultdict(list)
    names = {"sectionOf": "sectionOf", "founded": "founded", "dissolved": "dissolved"}
    for r in rows(store, CLAIM_EVIDENCE):
        evidence[(r["s"], slug(r["p"]), r["o"])].append(("claim", r["file"], r["quote"]))
    for query, pred in (
        (SECTION_EVENTS, "sectionOf"),
        (FOUNDED_EVENTS, "founded"),
        (DISSOLVED_EVENTS, "dissolved"),
    ):
        for r in rows(store, query):
            evidence[(r["s"], pred, r["o"])].append((slug(r["event"]), r["file"], r["quote"]))

    table = "--table" in sys.argv[1:]
    if table:
        print("| # | subject | claim | object / holder, position, when | evidence (article:line) |")
        print("| --- | --- | --- | --- | --- |")
    number = 0
    for r in rows(store, TRIPLES):
        number += 1
        pred = names[slug(r["p"])]
        obj = slug(r["o"]) if pred == "sectionOf" else r["o"]
        found = sorted(set(evidence.get((r["s"], pred, r["o"]), [])))
        if table:
            refs = sorted({f"{f[:3]}:{line_of(articles, f, q)}" for _, f, q in found})
            print(f"| {number} | `{slug(r['s'])}` | {pred} | `{obj}` | {', '.join(refs) or 'NO EVIDENCE'} |")
            continue
        print(f"{number}. {slug(r['s'])}  {pred}  {obj}")
        if not found:
            print("   !! no evidence")
        for via, file, quote in found:
            print(f'     [{via}] {file[:3]}:{line_of(articles, file, quote)}  "{quote}"')
        print()

    stance_evidence: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows(store, STANCE_EVIDENCE):
        stance_evidence[r["st"]].append((r["file"], r["quote"]))
    for r in rows(store, STANCES):
        number += 1
        when = r["date"] or (f"{r['from']}..{r['until']}" if r["from"] or r["until"] else "undated")
        found = stance_evidence.get(r["st"], [])
        contra = " ".join(slug(x) for x in r["contradicts"].split())
        if table:
            refs = sorted({f"{f[:3]}:{line_of(articles, f, q)}" for f, q in found})
            print(
                f"| {number} | `{slug(r['st'])}` | stance | `{slug(r['holder'])}`, `{slug(r['pos'])}`, {when}"
                f" | {', '.join(refs) or 'NO EVIDENCE'} |"
            )
            continue
        print(f"{number}. stance {slug(r['st'])}: {slug(r['holder'])} -> {slug(r['pos'])}  [{when}]")
        if contra:
            print(f"   contradicts {contra}")
        if not found:
            print("   !! no evidence")
        for file, quote in found:
            print(f'     {file[:3]}:{line_of(articles, file, quote)}  "{quote}"')
        print()
    print(f"{number} claims", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
