"""List every inferred ``tkg:derivedFrom`` pair with the events that produce it and their evidence.

Run after ``tkg build``::

    .venv/bin/python scripts/lineage_audit.py            # readable listing
    .venv/bin/python scripts/lineage_audit.py --table    # one Markdown row per pair (for the audit doc)

For each pair (derived organisation, original organisation) of the inferred graph it prints
every lineage event (Founding, Split, Fusion, Renaming, Expulsion) that has the first as a
resulting organisation and the second as an original one, with the event's types, date (or
from/until), and each evidence quote with its article file and the line of the article the
quote is on (whitespace-insensitive search), so that the paragraph around it can be read.
A pair no event explains is reported as such (it would have to come from somewhere else).
The verdicts themselves are in ``docs/curation/lineage-audit.md``.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from audit_common import PREFIXES, line_of, read_articles, rows, slug

from tkg.config import Settings
from tkg.store import EmbeddedStore

INFERRED = "https://w3id.org/trotskyism/graph/inferred"

PAIRS = (
    PREFIXES
    + f"""
SELECT ?b ?a WHERE {{ GRAPH <{INFERRED}> {{ ?b tkg:derivedFrom ?a }} }} ORDER BY ?b ?a
"""
)

EVENTS = (
    PREFIXES
    + """
SELECT ?b ?a ?event (GROUP_CONCAT(DISTINCT STRAFTER(STR(?type), "#"); separator="+") AS ?types)
       (SAMPLE(?d) AS ?date) (SAMPLE(?f) AS ?from) (SAMPLE(?u) AS ?until)
WHERE {
  ?event org:resultingOrganization ?b ; org:originalOrganization ?a ; a ?type .
  FILTER (?type IN (tkg:Founding, tkg:Split, tkg:Fusion, tkg:Renaming, tkg:Expulsion))
  OPTIONAL { ?event tkg:date ?d } OPTIONAL { ?event tkg:from ?f } OPTIONAL { ?event tkg:until ?u }
} GROUP BY ?b ?a ?event
"""
)

EVIDENCE = (
    PREFIXES
    + """
SELECT ?event ?file ?quote WHERE {
  ?event a tkg:Event ; tkg:evidence ?e .
  ?e dcterms:source/tkg:file ?file ; oa:exact ?quote .
} ORDER BY ?event ?file ?quote
"""
)


def main() -> int:
    settings = Settings()
    store = EmbeddedStore(settings.current_store)
    articles = read_articles()
    pairs = [(r["b"], r["a"]) for r in rows(store, PAIRS)]
    events: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in rows(store, EVENTS):
        events[(r["b"], r["a"])].append(r)
    evidence: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows(store, EVIDENCE):
        evidence[r["event"]].append((r["file"], r["quote"]))

    table = "--table" in sys.argv[1:]
    if table:
        print("| # | derived | from | event (type, date) | evidence (article:line) |")
        print("| --- | --- | --- | --- | --- |")
    for number, (b, a) in enumerate(pairs, 1):
        found = sorted(events.get((b, a), []), key=lambda r: r["event"])
        if table:
            cells = []
            refs = []
            for r in found:
                when = r["date"] or f"{r['from']}–{r['until']}"
                cells.append(f"`{slug(r['event'])}` ({r['types']}, {when})")
                refs += sorted({f"{f[:3]}:{line_of(articles, f, q)}" for f, q in evidence[r["event"]]})
            explained = "; ".join(cells) or "NO EVENT"
            print(f"| {number} | `{slug(b)}` | `{slug(a)}` | {explained} | {', '.join(refs)} |")
            continue
        print(f"{number}. {slug(b)}  derivedFrom  {slug(a)}")
        if not found:
            print("   !! no lineage event explains this pair")
        for r in found:
            when = r["date"] or f"{r['from']}..{r['until']}"
            print(f"   event {slug(r['event'])}  [{r['types']}]  {when}")
            for file, quote in evidence[r["event"]]:
                print(f'     {file[:3]}:{line_of(articles, file, quote)}  "{quote}"')
        print()
    print(f"{len(pairs)} pairs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
