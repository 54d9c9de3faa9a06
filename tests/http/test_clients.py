"""The budget per client through the app: a client that spent its share gets 429, the others answers.

Clients are told apart by address (Flask's test client sets ``REMOTE_ADDR``),
or by ``X-Forwarded-For`` when the request comes from a trusted proxy.
"""

from __future__ import annotations

import dataclasses
import time

import pytest
from flask.testing import FlaskClient

from server import create_app
from tkg.config import Settings

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = {"query": "ASK { ?s ?p ?o }", "format": "json"}


@pytest.fixture(scope="module")
def budgeted(real_build: Settings) -> FlaskClient:
    settings = dataclasses.replace(
        real_build,
        query_timeout=1.0,
        query_processes=1,
        client_budget=1.0,
        client_window=600.0,
        trusted_proxies=("10.0.0.0/8",),
        answer_cache_mb=0,  # every request runs its query
    )
    return create_app(settings).test_client()


def get(client: FlaskClient, address: str, query: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.get(
        "/sparql",
        query_string={"query": query, "format": "json"},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def test_a_client_over_its_share_gets_429_and_the_others_keep_their_answers(budgeted: FlaskClient) -> None:
    flooder, other = "203.0.113.7", "203.0.113.8"
    assert get(budgeted, flooder, RUNAWAY).status_code == 503  # stopped at its 1 s: the share is spent
    refused = get(budgeted, flooder, LIGHT["query"])
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    assert "query time" in refused.get_data(as_text=True)
    # pages read the graph through the same path, so they are refused as well, in a page people read
    page = budgeted.get(
        "/id/org/crfi.html", environ_base={"REMOTE_ADDR": flooder}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 429 and "query time" in page.get_data(as_text=True)
    assert page.mimetype == "text/html" and page.headers["Retry-After"]
    answered = get(budgeted, other, LIGHT["query"])
    assert answered.status_code == 200 and answered.get_json()["boolean"] is True


def test_a_trusted_proxy_names_the_client_and_others_cannot(budgeted: FlaskClient) -> None:
    proxy, client = "10.0.0.2", "198.51.100.20"
    assert get(budgeted, proxy, RUNAWAY, X_Forwarded_For=client).status_code == 503
    # the same client through the proxy again (whatever it claims on the left): over its share
    assert get(budgeted, proxy, LIGHT["query"], X_Forwarded_For=f"1.1.1.1, {client}").status_code == 429
    # another client behind the same proxy is not
    assert get(budgeted, proxy, LIGHT["query"], X_Forwarded_For="198.51.100.21").status_code == 200
    # a client not behind a trusted proxy cannot borrow a spent address: it is known by its own
    assert get(budgeted, "192.0.2.50", LIGHT["query"], X_Forwarded_For=client).status_code == 200


def test_the_machine_itself_is_exempt_by_default(budgeted: FlaskClient) -> None:
    for _ in range(2):
        assert get(budgeted, "127.0.0.1", RUNAWAY).status_code == 503
    assert get(budgeted, "127.0.0.1", LIGHT["query"]).status_code == 200


@pytest.fixture(scope="module")
def searched(real_build: Settings) -> FlaskClient:
    """A one-second share, and a time limit that lets the search index be built on a busy machine."""
    settings = dataclasses.replace(
        real_build, query_timeout=30.0, query_processes=1, client_budget=1.0, client_window=600.0
    )
    return create_app(settings).test_client()


def test_search_and_reconciliation_are_metered_like_queries(searched: FlaskClient) -> None:
    """Index searches cost the machine too: a client over its share is refused them as well."""
    flooder, other = "203.0.113.9", "203.0.113.10"
    batch = '{"q0": {"query": "Fourth International"}}'
    calls = (
        ("/search", {"q": "Fourth International", "format": "json"}),
        ("/api/suggest", {"q": "Fourth"}),
        ("/reconcile", {"queries": batch}),
        ("/reconcile/suggest/entity", {"prefix": "Fourth"}),
    )

    def status(path: str, args: dict[str, str], address: str) -> int:
        return searched.get(path, query_string=args, environ_base={"REMOTE_ADDR": address}).status_code

    budget = searched.application.extensions["tkg_reader"].budget
    # the first searches build the index (seconds on a busy machine): not charged, so not refused
    assert [status(path, args, flooder) for path, args in calls] == [200] * len(calls)
    assert budget.retry_after(flooder) is None
    with budget.spend(flooder):  # the flooder's share spent (by any work: queries are tested above)
        time.sleep(1.05)
    for path, args in calls:
        refused = searched.get(path, query_string=args, environ_base={"REMOTE_ADDR": flooder})
        assert refused.status_code == 429, path
        assert "query time" in refused.get_data(as_text=True) and refused.headers["Retry-After"]
        assert status(path, args, other) == 200
    assert status("/reconcile", {}, flooder) == 200  # the service's manifest costs nothing: always given
