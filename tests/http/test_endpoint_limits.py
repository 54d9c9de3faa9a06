"""What protects /sparql: time budget with real kills, caps, SERVICE allow-list, caching, CORS."""

from __future__ import annotations

import dataclasses
import gzip
import time

import pytest
from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSONLD, N3, RDFXML, TURTLE, SPARQLWrapper

from server import create_app
from tests.conftest import alive
from tkg.config import Settings

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def limited(real_build: Settings) -> FlaskClient:
    settings = dataclasses.replace(
        real_build,
        query_timeout=1.0,
        max_rows=50,
        max_body_bytes=2000,
        query_processes=1,
        service_hosts=("sparql.example.org",),
    )
    app = create_app(settings)
    client = app.test_client()
    client.application = app
    return client


def test_a_query_past_its_budget_is_stopped_for_real(limited: FlaskClient) -> None:
    executor = limited.application.extensions["tkg_executor"]
    before = executor.pids()
    started = time.monotonic()
    response = limited.get("/sparql", query_string={"query": CARTESIAN, "format": "json"})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "time budget of 1 s" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]
    assert elapsed < 15
    killed = [pid for pid in before if pid not in executor.pids()]
    assert killed, "the runaway query's process was not replaced"
    assert not any(alive(pid) for pid in killed), "the runaway query's process still runs"
    # the replacement answers at once
    ok = limited.get("/sparql", query_string={"query": SIMPLE, "format": "json"})
    assert ok.status_code == 200 and ok.get_json()["boolean"] is True


def test_results_over_the_row_cap_are_refused_clearly(limited: FlaskClient) -> None:
    response = limited.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }", "format": "csv"})
    assert response.status_code == 413
    assert "more than 50 result rows" in response.get_data(as_text=True)
    graph = limited.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert graph.status_code == 413
    fine = limited.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 50", "format": "csv"})
    assert fine.status_code == 200 and fine.get_data(as_text=True).count("\n") == 51


def test_request_bodies_over_the_cap_get_413(limited: FlaskClient) -> None:
    query = "ASK { ?s ?p ?o } #" + "x" * 5000
    response = limited.post("/sparql", data=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    form = limited.post("/sparql", data={"query": query})
    assert form.status_code == 413


def test_service_is_refused_off_the_allow_list(limited: FlaskClient) -> None:
    for target in (
        "<http://127.0.0.1:8000/sparql>",
        "<http://169.254.169.254/latest>",
        "?endpoint",
        "<http://localhost/sparql>",
    ):
        query = f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}"
        response = limited.get("/sparql", query_string={"query": query})
        assert response.status_code == 403, target
        assert "allow-list" in response.get_data(as_text=True)
    hidden = 'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1/>" } LIMIT 1'
    assert limited.get("/sparql", query_string={"query": hidden}).status_code == 200


def test_etag_and_304(client_real: FlaskClient) -> None:
    params = {"query": SIMPLE, "format": "json"}
    first = client_real.get("/sparql", query_string=params)
    etag = first.headers["ETag"]
    assert etag and "max-age" in first.headers["Cache-Control"]
    again = client_real.get("/sparql", query_string=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client_real.get(
        "/sparql", query_string={"query": SIMPLE, "format": "xml"}, headers={"If-None-Match": etag}
    )
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_gzip_when_asked(client_real: FlaskClient) -> None:
    params = {"query": "SELECT * { ?s ?p ?o } LIMIT 200", "format": "json"}
    plain = client_real.get("/sparql", query_string=params)
    zipped = client_real.get("/sparql", query_string=params, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert "Accept-Encoding" in zipped.vary


def test_cors_and_preflight(client_real: FlaskClient) -> None:
    response = client_real.get("/sparql", query_string={"query": SIMPLE}, headers={"Origin": "https://x.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client_real.options(
        "/sparql",
        headers={
            "Origin": "https://x.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_service_description_is_true(client_real: FlaskClient, accept: str, fmt: str) -> None:
    response = client_real.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    graph = Graph().parse(data=response.get_data(as_text=True), format=fmt)
    answer = graph.query("""PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?name ?n WHERE {
          ?s sd:supportedLanguage sd:SPARQL11Query ; sd:defaultDataset/sd:namedGraph ?g .
          ?g sd:name ?name ; sd:graph/void:triples ?n }""")
    counts = {str(row.name): int(row.n) for row in answer}
    assert set(counts) == {
        f"https://w3id.org/trotskyism/graph/{g}" for g in ("ontology", "asserted", "inferred")
    }
    store_counts = client_real.get(
        "/sparql",
        query_string={
            "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            "format": "json",
        },
    )
    for row in store_counts.get_json()["results"]["bindings"]:
        assert counts[row["g"]["value"]] == int(row["n"]["value"])
    assert "SPARQL11Update" not in response.get_data(as_text=True)


def test_browsers_get_a_query_form(client_real: FlaskClient) -> None:
    response = client_real.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and "<form" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fmt", "parse_as"), [(TURTLE, "turtle"), (N3, "n3"), (JSONLD, "json-ld"), (RDFXML, "xml")]
)
def test_sparqlwrapper_construct_in_every_format(live_server: str, fmt: str, parse_as: str) -> None:
    sparql = SPARQLWrapper(live_server + "/sparql")
    sparql.setQuery(
        "PREFIX tkg: <https://w3id.org/trotskyism/ontology#> "
        "CONSTRUCT { ?a tkg:descendsFrom ?b } WHERE { ?a tkg:descendsFrom ?b }"
    )
    sparql.setReturnFormat(fmt)
    result = sparql.query()
    converted = result.convert()
    graph = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format=parse_as)
    assert len(graph) > 50


def test_rdflib_sparqlstore(live_server: str) -> None:
    store = SPARQLStore(live_server + "/sparql")
    graph = Graph(store=store)
    rows = list(
        graph.query("""PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
        SELECT ?a WHERE { <https://w3id.org/trotskyism/id/org/crfi> tkg:descendsFrom ?a }""")
    )
    assert len(rows) >= 6
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


def test_service_to_a_listed_host_is_refused_by_address(real_build: Settings) -> None:
    """A name on the allow-list that resolves to loopback is never called, unless the operator says so."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    calls: list[str] = []

    class Endpoint(BaseHTTPRequestHandler):
        """A SPARQL endpoint inside the server's own network, answering no rows."""

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._answer()

        def _answer(self) -> None:
            calls.append(self.path)
            body = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    inside = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=inside.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://localhost:{inside.server_address[1]}/sparql"
        query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
        listed = dataclasses.replace(real_build, service_hosts=("localhost",), query_processes=1)
        refused = create_app(listed).test_client().get("/sparql", query_string={"query": query})
        assert refused.status_code == 403
        text = refused.get_data(as_text=True)
        assert "resolves to" in text and "loopback" in text and "TKG_SERVICE_PRIVATE_HOSTS" in text
        assert calls == []  # refused before anything was sent
        trusted = dataclasses.replace(listed, service_private_hosts=("localhost",))
        called = (
            create_app(trusted).test_client().get("/sparql", query_string={"query": query, "format": "json"})
        )
        assert called.status_code == 200, called.get_data(as_text=True)
        assert len(calls) == 1
    finally:
        inside.shutdown()
