"""/sparql through Flask's test client, and through SPARQLWrapper against the live server."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask.testing import FlaskClient
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from server import create_app
from tkg.config import Settings

ASK_CRFI = """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
ASK { <https://w3id.org/trotskyism/id/org/crfi>
      tkg:descendsFrom <https://w3id.org/trotskyism/id/org/workers-socialist-league> }"""
SELECT_ANCESTORS = """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?ancestor ?label WHERE {
  <https://w3id.org/trotskyism/id/org/crfi> tkg:descendsFrom ?ancestor . ?ancestor rdfs:label ?label
} ORDER BY ?label"""
CONSTRUCT = """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
CONSTRUCT { ?a tkg:derivedFrom ?b } WHERE { ?a tkg:derivedFrom ?b }"""


@pytest.fixture(scope="module")
def client(real_build: Settings) -> FlaskClient:
    return create_app(real_build).test_client()


def test_get_select_json_includes_inferred_lineage(client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": SELECT_ANCESTORS},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert "Accept" in response.vary
    labels = {b["label"]["value"] for b in response.get_json()["results"]["bindings"]}
    assert {
        "Workers Socialist League",
        "International Trotskyist Opposition",
        "Faction for the Trotskyist International",
    } <= labels


def test_post_form_and_direct_ask(client: FlaskClient) -> None:
    form = client.post(
        "/sparql", data={"query": ASK_CRFI}, headers={"Accept": "application/sparql-results+json"}
    )
    assert form.status_code == 200 and form.get_json()["boolean"] is True
    direct = client.post(
        "/sparql",
        data=ASK_CRFI.encode(),
        headers={
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": "application/sparql-results+xml",
        },
    )
    assert direct.status_code == 200
    assert direct.mimetype == "application/sparql-results+xml"
    assert b"<boolean>true</boolean>" in direct.data


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, application/sparql-results+json;q=0.9", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_formats_by_accept(client: FlaskClient, accept: str, mimetype: str) -> None:
    response = client.get("/sparql", query_string={"query": SELECT_ANCESTORS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype


def test_csv_rows(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT_ANCESTORS, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert "https://w3id.org/trotskyism/id/org/workers-socialist-league" in {r["ancestor"] for r in rows}


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_parse_back(client: FlaskClient, accept: str, fmt: str) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    graph = Graph().parse(data=response.get_data(as_text=True), format=fmt)
    assert len(graph) > 10


def test_malformed_query_is_400_with_position(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Malformed query" in text and "error at 1:" in text


def test_unacceptable_accept_is_406(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": ASK_CRFI}, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_wrong_media_type_is_415(client: FlaskClient) -> None:
    response = client.post("/sparql", data=ASK_CRFI, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_updates_are_refused(client: FlaskClient) -> None:
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    assert client.post("/sparql", data={"update": update}).status_code == 403
    assert (
        client.post("/sparql", data=update, headers={"Content-Type": "application/sparql-update"}).status_code
        == 403
    )
    assert client.post("/sparql", data={"query": update}).status_code == 403
    check = client.get(
        "/sparql", query_string={"query": "ASK { <http://example.org/a> ?p ?o }", "format": "json"}
    )
    assert check.get_json()["boolean"] is False


def test_dataset_parameters_restrict_the_default_graph(client: FlaskClient) -> None:
    query = "ASK { ?a <https://w3id.org/trotskyism/ontology#derivedFrom> ?b }"
    asserted = client.get(
        "/sparql",
        query_string={
            "query": query,
            "format": "json",
            "default-graph-uri": "https://w3id.org/trotskyism/graph/asserted",
        },
    )
    inferred = client.get(
        "/sparql",
        query_string={
            "query": query,
            "format": "json",
            "default-graph-uri": "https://w3id.org/trotskyism/graph/inferred",
        },
    )
    assert asserted.get_json()["boolean"] is False
    assert inferred.get_json()["boolean"] is True


def test_service_description_without_query(client: FlaskClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert len(graph) > 10


def test_home_page_links_to_endpoint(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/sparql"' in html and "graph/inferred" in html


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_every_format(live_server: str, fmt: str) -> None:
    sparql = SPARQLWrapper(live_server + "/sparql")
    sparql.setQuery(SELECT_ANCESTORS)
    sparql.setReturnFormat(fmt)
    result = sparql.query()
    converted = result.convert()
    if fmt == JSON:
        labels = {b["label"]["value"] for b in converted["results"]["bindings"]}
        assert "Workers Socialist League" in labels
    elif fmt == XML:
        assert converted.getElementsByTagName("result").length > 3
    else:
        text = converted.decode() if isinstance(converted, bytes) else converted
        assert "Workers Socialist League" in text


def test_sparqlwrapper_ask_via_post_and_construct(live_server: str) -> None:
    sparql = SPARQLWrapper(live_server + "/sparql")
    sparql.setMethod("POST")
    sparql.setQuery(ASK_CRFI)
    sparql.setReturnFormat(JSON)
    assert sparql.query().convert()["boolean"] is True
    sparql.setQuery(CONSTRUCT)
    sparql.setReturnFormat(TURTLE)
    graph = Graph().parse(data=sparql.query().convert(), format="turtle")
    assert len(graph) > 10


def test_live_server_ask_over_plain_http(live_server: str) -> None:
    import requests

    response = requests.get(
        live_server + "/sparql",
        params={"query": ASK_CRFI},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert response.status_code == 200
    assert json.loads(response.text)["boolean"] is True
