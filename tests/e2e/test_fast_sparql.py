"""``/sparql`` on the event loop (``server/fast_sparql.py``) answers as the Flask view does.

Two ``tkg serve`` over the same build, one with the fast path and one with
``TKG_FAST_SPARQL=0``, get the same requests; status, the headers that matter
and the body must agree, and the fast server's log must show that it did
answer them itself (a fast path that handed everything to Flask would agree
trivially).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from tests.conftest import Serving, shared_serve, tkg_serve
from tkg.config import Settings

pytestmark = pytest.mark.e2e

PREFIX = "PREFIX tkg: <https://w3id.org/trotskyism/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
ORGS = (
    PREFIX + "SELECT ?o ?label WHERE { ?o a tkg:Organisation ; rdfs:label ?label } ORDER BY ?label LIMIT 20"
)
ASK = PREFIX + "ASK { ?o a tkg:Organisation }"
GRAPH = PREFIX + "CONSTRUCT { ?o a tkg:Organisation } WHERE { ?o a tkg:Organisation } ORDER BY ?o LIMIT 5"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: What a client reads off an answer besides its body.
COMPARED = (
    "Content-Type",
    "ETag",
    "Vary",
    "Cache-Control",
    "Content-Encoding",
    "Retry-After",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Content-Security-Policy",
    "X-Content-Type-Options",
)
PLAIN = {"Accept-Encoding": "identity"}
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def get(query: str, **params: str) -> tuple[str, str, dict[str, str], bytes]:
    return ("GET", "/sparql?" + urlencode({"query": query, **params}), {}, b"")


#: (method, path, headers, body): what a SPARQL client sends, well or badly.
REQUESTS = [
    get(ORGS),
    get(ORGS, format="csv"),
    get(ORGS, format="xml"),
    ("GET", "/sparql/?" + urlencode({"query": ORGS}), {"Accept": "text/tab-separated-values"}, b""),
    ("GET", "/sparql?" + urlencode({"query": ORGS}), {"Accept": "application/sparql-results+json"}, b""),
    ("GET", "/sparql?" + urlencode({"query": ORGS}), {"Accept-Encoding": "gzip"}, b""),
    get(ASK),
    get(GRAPH),
    ("GET", "/sparql?" + urlencode({"query": GRAPH}), {"Accept": "application/n-triples"}, b""),
    ("POST", "/sparql", {"Content-Type": FORM}, urlencode({"query": ORGS}).encode()),
    ("POST", "/sparql", {"Content-Type": FORM + "; charset=UTF-8"}, urlencode({"query": ASK}).encode()),
    ("POST", "/sparql", {"Content-Type": DIRECT}, ORGS.encode()),
    ("POST", "/sparql", {"Content-Type": DIRECT + "; charset=latin-1"}, ORGS.encode()),  # 415
    ("POST", "/sparql", {"Content-Type": "text/plain"}, ORGS.encode()),  # 415
    ("POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"DROP ALL"),  # 403
    ("POST", "/sparql", {"Content-Type": FORM}, b"update=DROP+ALL"),  # 403
    ("POST", "/sparql?query=ASK%7B%7D", {"Content-Type": FORM}, urlencode({"query": ASK}).encode()),  # 400
    ("GET", "/sparql?" + urlencode({"update": "DROP ALL"}), {}, b""),  # 405
    ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, b""),  # 400: two queries
    get("DROP ALL"),  # 403
    get("SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }"),  # 403
    get("SELECT * WHERE { ?s ?p }"),  # 400 syntax
    ("GET", "/sparql?" + urlencode({"query": ORGS}), {"Accept": "image/png"}, b""),  # 406
    get(ORGS, format="nonsense"),  # 406
]


@pytest.fixture(scope="session")
def pair(real_build: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The base URLs of the same build served with the fast path (``fast``) and without it (``flask``),
    for the run (:func:`tests.conftest.shared_serve`)."""
    return {
        name: shared_serve(
            tmp_path_factory,
            f"fast-sparql-{name}",
            real_build.build_dir,
            "--workers",
            "1",
            TKG_FAST_SPARQL=flag,
        )
        for name, flag in (("fast", "1"), ("flask", "0"))
    }


def send(base: str, method: str, path: str, headers: dict[str, str], body: bytes) -> requests.Response:
    return requests.request(method, base + path, headers={**PLAIN, **headers}, data=body, timeout=30)


def seen(response: requests.Response) -> tuple[int, dict[str, str | None], bytes]:
    """Status, the compared headers and the body, the server's own address in it made neutral."""
    origin = response.url.split("/sparql")[0].encode()
    body = response.content.replace(origin, b"http://server")
    return response.status_code, {name: response.headers.get(name) for name in COMPARED}, body


def test_the_fast_path_answers_as_flask_does(pair: dict[str, str]) -> None:
    for method, path, headers, body in REQUESTS:
        fast = seen(send(pair["fast"], method, path, headers, body))
        flask = seen(send(pair["flask"], method, path, headers, body))
        assert fast == flask, f"{method} {path[:80]} {headers}"
    statuses = {seen(send(pair["fast"], *request))[0] for request in REQUESTS}
    assert statuses == {200, 400, 403, 405, 406, 415}


def test_a_repeated_query_gets_304_on_both(pair: dict[str, str]) -> None:
    path = "/sparql?" + urlencode({"query": ORGS + " # 304"})
    for server in pair.values():
        etag = send(server, "GET", path, {}, b"").headers["ETag"]
        again = send(server, "GET", path, {"If-None-Match": etag}, b"")
        assert again.status_code == 304 and again.headers["ETag"] == etag and not again.content
    fast, flask = (seen(send(s, "GET", path, {"If-None-Match": etag}, b"")) for s in pair.values())
    assert fast == flask


def test_the_service_description_and_options_stay_with_flask(pair: dict[str, str]) -> None:
    for method, path in (("GET", "/sparql"), ("OPTIONS", "/sparql"), ("HEAD", "/sparql?query=ASK%7B%7D")):
        fast, flask = (seen(send(s, method, path, {}, b"")) for s in pair.values())
        # rdflib writes the description's blank nodes in an order of its own each process
        assert fast[:2] == flask[:2] and sorted(fast[2]) == sorted(flask[2]), f"{method} {path}"


@pytest.fixture
def metered(real_build: Settings, tmp_path: Path) -> Iterator[dict[str, Serving]]:
    """The pair with a 1 s query budget and 0.5 s of query time per 2 s for 127.0.0.1."""
    limits = {
        "TKG_QUERY_TIMEOUT": "1",
        "TKG_CLIENT_BUDGET": "0.5",
        "TKG_CLIENT_WINDOW": "2",
        "TKG_BUDGET_EXEMPT": "",
    }
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(
                tkg_serve(
                    real_build.build_dir,
                    "--workers",
                    "1",
                    log=tmp_path / f"{name}.log",
                    TKG_FAST_SPARQL=flag,
                    **limits,
                )
            )
            for name, flag in (("fast", "1"), ("flask", "0"))
        }


def test_timeout_budget_and_replacement_agree(metered: dict[str, Serving]) -> None:
    """A runaway query: 503 and its process killed; the client's spent share: 429; then a fresh process."""
    answers: dict[str, list[tuple[int, dict[str, str | None], bytes]]] = {}
    for name, server in metered.items():
        heavy = send(server.base, "GET", "/sparql?" + urlencode({"query": HEAVY}), {}, b"")
        over = send(server.base, "GET", "/sparql?" + urlencode({"query": ASK}), {}, b"")
        answers[name] = [seen(heavy), seen(over)]
        assert heavy.status_code == 503 and heavy.headers["Retry-After"]
        assert over.status_code == 429 and int(over.headers["Retry-After"]) >= 1
        time.sleep(int(over.headers["Retry-After"]) + 0.5)
        after = send(server.base, "GET", "/sparql?" + urlencode({"query": ASK}), {}, b"")
        assert after.status_code == 200 and after.json()["boolean"] is True
    digits = re.compile(rb"\d+")
    for fast, flask in zip(answers["fast"], answers["flask"], strict=True):
        assert fast[0] == flask[0]
        assert {k: v for k, v in fast[1].items() if k != "Retry-After"} == {
            k: v for k, v in flask[1].items() if k != "Retry-After"
        }
        assert digits.sub(b"N", fast[2]) == digits.sub(b"N", flask[2])


def test_the_fast_server_answers_queries_itself(real_build: Settings, tmp_path: Path) -> None:
    """Its stopped worker reports how many requests it answered on the event loop: every query here."""
    log = tmp_path / "fast.log"
    with tkg_serve(real_build.build_dir, "--workers", "1", log=log) as server:
        for request in REQUESTS:
            send(server.base, *request)
        assert send(server.base, "GET", "/sparql", {"Accept": "text/turtle"}, b"").status_code == 200
    found = re.findall(r"fast path: (\d+) answered on the event loop, (\d+) handed to Flask", log.read_text())
    assert found == [(str(len(REQUESTS)), "1")], log.read_text()[-2000:]


def test_under_a_url_prefix_both_resolve_relative_iris_against_the_endpoint(
    real_build: Settings, tmp_path: Path
) -> None:
    """Mounted at ``/tkg`` (``SCRIPT_NAME``): the query's base IRI is the endpoint's URL on both paths."""
    query = "SELECT ?x WHERE { BIND (<other> AS ?x) }"
    answers = []
    with ExitStack() as stack:
        for flag in ("1", "0"):
            server = stack.enter_context(
                tkg_serve(
                    real_build.build_dir,
                    "--workers",
                    "1",
                    log=tmp_path / f"prefix-{flag}.log",
                    SCRIPT_NAME="/tkg",
                    TKG_FAST_SPARQL=flag,
                )
            )
            answer = send(server.base, "GET", "/tkg/sparql?" + urlencode({"query": query}), {}, b"")
            assert answer.json()["results"]["bindings"][0]["x"]["value"] == server.base + "/tkg/other"
            answers.append(seen(answer))
    assert answers[0] == answers[1]
