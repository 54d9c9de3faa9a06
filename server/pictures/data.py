"""What the pictures draw, read from the graph through the executor (time budget and caps apply)."""

from __future__ import annotations

import pyoxigraph as ox

from tkg.canned import load_all
from tkg.namespaces import ID

from ..linked_data import lineage as cached_lineage
from ..results import select
from ..urls import urls
from . import family_tree, positions, timeline

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

LABEL = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
SELECT ?_iri ?label ?organisation WHERE {
  ?_iri rdfs:label ?label .
  BIND (EXISTS { ?_iri a tkg:Organisation } AS ?organisation)
} LIMIT 1"""

STANCES = """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?stance ?holder ?holderLabel ?position ?positionLabel ?date ?from ?until WHERE {
  ?stance a tkg:Stance ; tkg:holder ?holder ; tkg:position ?position .
  ?holder rdfs:label ?holderLabel . ?position skos:prefLabel ?positionLabel .
  OPTIONAL { ?stance tkg:date ?date }
  OPTIONAL { ?stance tkg:from ?from }
  OPTIONAL { ?stance tkg:until ?until }
} ORDER BY ?stance"""

POSITIONS = """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?position ?label WHERE { ?position skos:inScheme tkg:USSRPositions ; skos:prefLabel ?label }
ORDER BY ?label"""


def _value(row: dict, name: str) -> str | None:
    return row[name]["value"] if name in row else None


def label_of(iri: str) -> tuple[str | None, bool]:
    """The English label of a resource (None if unknown to the graph), and whether it is an organisation."""
    _vars, rows = select(LABEL, {"_iri": ox.NamedNode(iri)})
    if not rows:
        return None, False
    return rows[0]["label"]["value"], rows[0]["organisation"]["value"] == "true"


def org_iri(slug: str) -> str:
    return f"{ID}org/{slug}"


def family_tree_svg(iri: str) -> str:
    """The family tree of one organisation, from the lineage model resource pages use too."""
    lineage = cached_lineage()
    labels = {**lineage.labels, iri: lineage.label(iri) or label_of(iri)[0] or iri}
    steps = lineage.family(iri)
    nodes = {iri, *(s.parent for s in steps), *(s.child for s in steps)}
    links = {node: path for node in nodes if (path := urls().local(node))}
    return family_tree.render(iri, labels, steps, links)


def timeline_svg(first: int, last: int) -> str:
    query = load_all()["timeline"]
    _vars, rows = select(query.text, query.bind({"from": str(first), "to": str(last)}))
    events, seen = [], set()
    for row in rows:
        iri = row["event"]["value"]
        if iri in seen:
            continue
        seen.add(iri)
        events.append(
            timeline.Event(iri, row["eventLabel"]["value"], row["kind"]["value"], row["date"]["value"])
        )
    links = {e.iri: path for e in events if (path := urls().local(e.iri))}
    return timeline.render(events, links, f"Events from {first} to {last}")


def positions_svg() -> str:
    _vars, rows = select(STANCES)
    stances = [
        positions.Stance(
            r["stance"]["value"],
            r["holder"]["value"],
            r["holderLabel"]["value"],
            r["position"]["value"],
            r["positionLabel"]["value"],
            _value(r, "date"),
            _value(r, "from"),
            _value(r, "until"),
        )
        for r in rows
    ]
    _vars, concept_rows = select(POSITIONS)
    concepts = [(r["position"]["value"], r["label"]["value"]) for r in concept_rows]
    used = {s.position for s in stances}
    concepts = [c for c in concepts if c[0] in used] + [c for c in concepts if c[0] not in used]
    links = {s.iri: path for s in stances if (path := urls().local(s.iri))}
    return positions.render(stances, concepts, links)
