"""The workload every service is sent: canned queries, resource descriptions, heavy analytics.

The canned queries are ``queries/*.rq`` (grlc-style) when the gallery has them,
their ``?_name_type`` parameters bound to representative values; beside them
stand the questions the gallery is meant to answer (issue 6), written here so
the benchmark has them before the gallery lands. Resource descriptions are
DESCRIBE queries, which every peer answers the same way; the heavy queries are
the whole-graph lineage closure and counts by year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tkg.canned import load_all

from .wrk import Request

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX o: <https://w3id.org/trotskyism/id/org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


@dataclass(frozen=True)
class Query:
    name: str
    group: str  # canned | describe | heavy
    text: str

    @property
    def accept(self) -> str:
        return TURTLE if re.search(r"\b(DESCRIBE|CONSTRUCT)\b", self.text, re.I) else JSON


#: Representative organisations (real graph, then the first generated world).
REAL = {"org": "crfi", "root": "fourth-international", "country": "france", "year": "1953"}
SYNTHETIC = {"org": "party-w0-5", "root": "party-w0-0", "country": "land-0", "year": "1940"}

CANNED = {
    "ancestors": """SELECT ?a ?label WHERE { o:{org} tkg:descendsFrom ?a . ?a rdfs:label ?label }
        ORDER BY ?label""",
    "descendants": """SELECT ?d ?label WHERE { ?d tkg:descendsFrom o:{root} . ?d rdfs:label ?label }
        ORDER BY ?label""",
    "lineage-events": """SELECT ?e ?date ?from ?to WHERE { ?e org:originalOrganization ?from ;
        org:resultingOrganization ?to . ?to tkg:descendsFrom* o:{org} . OPTIONAL { ?e tkg:date ?date } }
        ORDER BY ?date""",
    "splits-from": """SELECT ?e ?date ?child WHERE { ?e a tkg:Split ; org:originalOrganization o:{root} ;
        org:resultingOrganization ?child . OPTIONAL { ?e tkg:date ?date } } ORDER BY ?date""",
    "fusions": """SELECT ?e ?date ?to (COUNT(?from) AS ?parts) WHERE { ?e a tkg:Fusion ;
        org:originalOrganization ?from ; org:resultingOrganization ?to . OPTIONAL { ?e tkg:date ?date } }
        GROUP BY ?e ?date ?to ORDER BY ?date LIMIT 200""",
    "timeline": """SELECT ?e ?date ?label WHERE { ?e a tkg:Event ; tkg:date ?date ; rdfs:label ?label
        FILTER (YEAR(?date) >= {year} - 10 && YEAR(?date) <= {year}) } ORDER BY ?date LIMIT 500""",
    "country": """SELECT ?o ?label WHERE { ?o tkg:country <https://w3id.org/trotskyism/id/country/{country}> ;
        rdfs:label ?label } ORDER BY ?label""",
    "sections": """SELECT ?s ?label WHERE { ?s tkg:sectionOf ?i . ?i a tkg:International .
        ?s rdfs:label ?label } ORDER BY ?label LIMIT 200""",
    "leaders": """SELECT ?o ?person ?name WHERE { ?o tkg:leader|tkg:founder ?person .
        ?person rdfs:label ?name } LIMIT 200""",
    "positions": """SELECT ?holder ?position ?date ?source WHERE { ?s a tkg:Stance ; tkg:holder ?holder ;
        tkg:position ?position ; tkg:evidence/dcterms:source ?source OPTIONAL { ?s tkg:date ?date } }
        ORDER BY ?date LIMIT 200""",
    "existing-in": """SELECT ?o ?founded WHERE { ?o tkg:founded ?founded
        FILTER (YEAR(?founded) <= {year})
        FILTER NOT EXISTS { ?o tkg:dissolved ?d FILTER (YEAR(?d) < {year}) } } LIMIT 500""",
    "disagreements": "SELECT ?a ?b WHERE { ?a tkg:contradicts ?b } LIMIT 200",
    "evidence": """SELECT ?claim ?quote ?source WHERE { ?claim tkg:evidence ?e . ?e oa:exact ?quote ;
        dcterms:source ?source . ?claim org:resultingOrganization o:{org} }""",
    "ask-lineage": "ASK { o:{org} tkg:descendsFrom o:{root} }",
}
#: Issue 11's three workloads, measured with every text new and with one text repeated.
THROUGHPUT = {
    "organisations-by-label": """SELECT ?o ?label WHERE { ?o a tkg:Organisation ; rdfs:label ?label }
        ORDER BY ?label LIMIT 20""",
    "descendants-of-the-fi": "SELECT ?d WHERE { ?d tkg:descendsFrom o:{root} }",
    "splits-with-dates": "SELECT ?e ?date WHERE { ?e a tkg:Split ; tkg:date ?date } ORDER BY ?date",
}
DESCRIBE = {
    "describe-org": "DESCRIBE o:{org}",
    "describe-root": "DESCRIBE o:{root}",
}
HEAVY = {
    "lineage-closure": "SELECT (COUNT(*) AS ?pairs) WHERE { ?a tkg:derivedFrom+ ?b }",
    "counts-by-year": """SELECT ?year (COUNT(?e) AS ?events) WHERE { ?e a tkg:Event ; tkg:date ?d
        BIND (YEAR(?d) AS ?year) } GROUP BY ?year ORDER BY ?year""",
}


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return PREFIXES + text


def gallery_queries(values: dict[str, str]) -> list[Query]:
    """``queries/*.rq`` with their default parameters, as a VALUES block every peer understands.

    The binding is the gallery's own (:mod:`tkg.canned`), so each parameter gets a
    term of its declared type; the values are the queries' defaults.
    """
    del values  # the representative terms are the gallery's defaults
    return [
        Query(f"rq:{name}", "canned", canned.editor_text(canned.bind({})))
        for name, canned in sorted(load_all(ROOT / "queries").items())
    ]


def queries(synthetic: bool = False) -> list[Query]:
    values = SYNTHETIC if synthetic else REAL
    found = gallery_queries(values)
    found += [Query(n, "canned", _fill(t, values)) for n, t in CANNED.items()]
    found += [Query(n, "describe", _fill(t, values)) for n, t in DESCRIBE.items()]
    found += [Query(n, "heavy", _fill(t, values)) for n, t in HEAVY.items()]
    return found


def throughput_queries(synthetic: bool = False) -> list[Query]:
    values = SYNTHETIC if synthetic else REAL
    return [Query(n, "throughput", _fill(t, values)) for n, t in THROUGHPUT.items()]


def request(query: Query, path: str) -> Request:
    return Request.sparql(path, query.text, query.accept)
