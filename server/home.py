"""The home page: what the dataset is, how big, and where to query it."""

from __future__ import annotations

from flask import Blueprint, render_template

from tkg.namespaces import NAMED_GRAPHS
from tkg.sparql_text import rebase_query

from .context import store

bp = Blueprint("home", __name__)

EXAMPLES = {
    "Does the CRFI descend from the Workers Socialist League?": """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
PREFIX o: <https://w3id.org/trotskyism/id/org/>
ASK { o:crfi tkg:descendsFrom o:workers-socialist-league }""",
    "What came out of splits of the Fourth International, and when?": """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?date ?resultLabel WHERE {
  ?split a tkg:Split ; tkg:date|tkg:from ?date ;
         org:originalOrganization <https://w3id.org/trotskyism/id/org/fourth-international> ;
         org:resultingOrganization ?result .
  ?result rdfs:label ?resultLabel .
} ORDER BY ?date ?resultLabel""",
}
EXAMPLES = {question: rebase_query(query) for question, query in EXAMPLES.items()}


@bp.get("/")
def index() -> str:
    manifest = store().manifest
    graphs = [(iri, manifest.graphs.get(iri, 0)) for iri in NAMED_GRAPHS]
    return render_template("home.html", manifest=manifest, graphs=graphs, examples=EXAMPLES)
