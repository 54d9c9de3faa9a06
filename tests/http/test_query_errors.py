"""A query that cannot be answered gets one status everywhere: endpoint, API, page, picture, resource page.

The errors are raised on the read path (``tkg/reads.py``) and turned into a
response in one place (``server/errors.py``); a page shows the sentence with
the status, never a 500.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from server import create_app
from tkg.config import Settings

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def capped(real_build: Settings) -> FlaskClient:
    """The real graph behind a row cap of 3: most answers are too large."""
    settings = real_build.__class__(**{**real_build.__dict__, "max_rows": 3, "query_processes": 1})
    return create_app(settings).test_client()


@pytest.mark.slow
@pytest.mark.parametrize(
    "url",
    [
        "/sparql?query=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D&format=json",
        "/api/queries/ancestors",
        "/svg/timeline",
        "/svg/positions",
    ],
)
def test_too_large_is_413_for_programs(capped: FlaskClient, url: str) -> None:
    response = capped.get(url)
    assert response.status_code == 413
    assert response.get_data(as_text=True).startswith("Result too large: more than 3 result")


@pytest.mark.slow
@pytest.mark.parametrize("url", ["/queries/ancestors", "/id/org/fourth-international.html"])
def test_a_page_shows_the_sentence_with_the_status(capped: FlaskClient, url: str) -> None:
    response = capped.get(url, headers=BROWSER)
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "Result too large: more than 3 result" in response.get_data(as_text=True)


@pytest.mark.slow
def test_a_malformed_query_is_400_and_an_answer_is_still_given(capped: FlaskClient) -> None:
    bad = capped.get("/sparql", query_string={"query": "SELEC ?x", "format": "json"})
    assert bad.status_code == 400 and bad.get_data(as_text=True).startswith("Malformed query:")
    good = capped.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "format": "json"})
    assert good.status_code == 200 and good.get_json()["boolean"] is True
