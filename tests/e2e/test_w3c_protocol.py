"""The W3C SPARQL 1.1 Protocol test suite, read from its manifest, against the real app.

Each test's data files are loaded into the named graphs its manifest names,
a store is built from them, and the manifest's HTTP requests are replayed
through Flask. The endpoint is read-only, so the update_* tests must be
refused with a 4xx and leave the store unchanged; every query and bad_* test
must get the status (and format, and boolean) the manifest expects.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from flask.testing import FlaskClient
from rdflib import Graph

from server import create_app
from tests.conftest import make_settings
from tests.w3c_protocol import ProtocolTest, Request, load
from tkg.config import ROOT
from tkg.storage import swap_current, write_store

MANIFEST = ROOT.parent / "shared" / "w3c" / "sparql11-protocol" / "manifest.ttl"
TESTS = load(MANIFEST) if MANIFEST.exists() else []
RESULTS: list[tuple[str, str]] = []  # (test name, outcome), printed at the end of the run

FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json"},
}
DUMP = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o"


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> dict[frozenset[str], FlaskClient]:
    """One app per distinct set of test graphs."""
    made: dict[frozenset[str], FlaskClient] = {}
    for test in TESTS:
        key = frozenset(test.graphs)
        if key in made:
            continue
        build_dir = tmp_path_factory.mktemp("w3c") / "build"
        graphs = {iri: Graph().parse(path, format="nt") for iri, path in test.graphs.items()}
        swap_current(build_dir, write_store(build_dir, "w3c-" + str(len(made)), graphs, {}))
        settings = make_settings(build_dir)
        made[key] = create_app(
            settings.__class__(**{**settings.__dict__, "query_processes": 1})
        ).test_client()
    return made


def send(client: FlaskClient, request: Request):
    return client.open(request.path, method=request.method, headers=request.headers, data=request.body)


def checksum(client: FlaskClient) -> str:
    response = client.get("/sparql", query_string={"query": DUMP, "format": "tsv"})
    assert response.status_code == 200
    return hashlib.sha256(response.data).hexdigest()


def check(request: Request, response) -> None:
    status_class = f"{response.status_code // 100}xx"
    assert status_class in request.statuses, (
        f"status {response.status_code}: {response.get_data(as_text=True)}"
    )
    if request.expected_format:
        assert response.mimetype in FORMATS[request.expected_format], response.mimetype
    if request.expected_boolean is not None:
        text = response.get_data(as_text=True)
        if response.mimetype.endswith("json"):
            value = json.loads(text)["boolean"]
        else:
            value = re.search(r"<boolean>\s*(true|false)\s*</boolean>", text).group(1) == "true"
        assert value is request.expected_boolean


@pytest.mark.skipif(not TESTS, reason="the W3C manifest is not beside the project (../shared/w3c)")
@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_protocol(test: ProtocolTest, clients: dict[frozenset[str], FlaskClient]) -> None:
    client = clients[frozenset(test.graphs)]
    try:
        if test.is_update and not test.name.startswith("bad_"):
            before = checksum(client)
            response = send(client, test.requests[0])
            assert 400 <= response.status_code < 500, response.status_code
            assert checksum(client) == before
            RESULTS.append((test.name, "refused as read-only (4xx), store unchanged"))
            return
        for request in test.requests:
            check(request, send(client, request))
        RESULTS.append((test.name, "pass"))
    except AssertionError:
        RESULTS.append((test.name, "FAIL"))
        raise


def test_the_whole_manifest_is_run() -> None:
    if MANIFEST.exists():
        assert len(TESTS) == 34
        assert {t.name for t in TESTS if t.name.startswith("bad_")} >= {"bad_query_method", "bad_update_get"}
