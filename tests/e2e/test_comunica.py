"""Comunica, the Linked Data client, reads both doors: the SPARQL endpoint and dereferenced IRIs.

Comunica 4 (npm ``@comunica/query-sparql``, pinned in package.json and installed by ``make static``)
runs as its command line does for a researcher: ``comunica-sparql SOURCE QUERY``. Over a
dereferenced IRI it asks for N-Quads first, and queries the document's default graph: that graph must
hold the resource's statements, whatever the document adds in named graphs.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import requests
from rdflib import Graph

from tkg.config import ROOT
from tkg.namespaces import ID, TKG

COMUNICA = ROOT / "node_modules" / ".bin" / "comunica-sparql"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def comunica(source: str, query: str) -> list[dict[str, str]]:
    """The bindings Comunica finds for ``query`` over ``source``, as its JSON output writes them."""
    assert COMUNICA.exists(), "Comunica is not installed: run `make static` (npm ci)"
    done = subprocess.run(
        [str(COMUNICA), source, query, "-t", "application/sparql-results+json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads(done.stdout)
    return [{k: v["value"] for k, v in row.items()} for row in document["results"]["bindings"]]


def test_comunica_queries_the_sparql_endpoint(live_server: str) -> None:
    endpoint = f"sparql@{live_server}/sparql"
    query = f"SELECT ?a WHERE {{ <{ID}org/crfi> <{TKG}descendsFrom> ?a }}"
    found = {row["a"] for row in comunica(endpoint, query)}
    ours = requests.get(
        live_server + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    assert found == {b["a"]["value"] for b in ours["results"]["bindings"]}
    assert f"{ID}org/workers-socialist-league" in found
    language = comunica(endpoint, f"SELECT (LANG(?l) AS ?lang) WHERE {{ <{ID}org/crfi> <{LABEL}> ?l }}")
    assert language == [{"lang": "en"}]


@pytest.mark.parametrize(
    "path", ["org/crfi", "person/leon-trotsky", "event/1930-04-founding-of-the-communist-league-france"]
)
def test_comunica_reads_a_dereferenced_iri(live_server: str, path: str) -> None:
    """An organisation, a person and an event: Comunica sees every statement of the Turtle document."""
    iri = ID + path
    rows = comunica(f"{live_server}/id/{path}", f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}")
    assert any(row["p"] == LABEL for row in rows), rows[:5]
    turtle = Graph().parse(
        data=requests.get(f"{live_server}/id/{path}", headers={"Accept": "text/turtle"}).text, format="turtle"
    )
    count = comunica(f"{live_server}/id/{path}", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(count[0]["n"]) == len(turtle)
