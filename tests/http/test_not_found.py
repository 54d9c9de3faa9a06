"""One not-found answer for everything: the page for browsers, a sentence for programs, both with a search."""

from __future__ import annotations

import pytest

MISSING = [
    ("/id/org/no-such-organisation", "no such organisation"),
    ("/id/widget/x", "x"),
    ("/queries/no-such-question", "no such question"),
    ("/api/queries/no-such-question", "no-such-question"),
    ("/svg/family-tree/org/no-such-party", "no such party"),
    ("/dumps/trotskyism.xlsx", "trotskyism.xlsx"),
    ("/ontology.exe", "ontology"),
    ("/no/such-page", "such page"),
]


@pytest.mark.parametrize(("path", "term"), MISSING)
def test_browsers_get_the_not_found_page_with_a_search(client_real, path: str, term: str) -> None:
    response = client_real.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<h1>Not found</h1>" in body and 'id="search-link"' in body
    assert f"http://localhost/search?q={term.replace(' ', '+')}" in body
    assert "questions the graph answers</a>" in body
    assert "Accept" in response.vary


@pytest.mark.parametrize(("path", "term"), MISSING)
def test_programs_get_one_sentence_and_a_search_link(client_real, path: str, term: str) -> None:
    response = client_real.get(path, headers={"Accept": "application/json"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/plain"
    assert body.startswith("404 Not Found: ") and "<" not in body.split("Search for it")[0].replace(
        "<https", ""
    )
    assert response.headers["Link"].endswith('rel="search"') and "/search?q=" in response.headers["Link"]
