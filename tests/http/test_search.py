"""``/search`` and the pickers (``/api/suggest``) answer from one index, and both forgive typos."""

from __future__ import annotations

import pytest

from tkg.namespaces import ID, TKG


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Internatonal Left Oposition", "org/international-left-opposition"),
        ("lute ouvriere", "org/lutte-ouvriere"),
        ("Ligue comuniste", "org/communist-league-france"),
        ("fourth internat", "org/fourth-international"),  # a partial word
    ],
)
def test_search_and_the_pickers_forgive_typos_alike(client_real, text: str, expected: str) -> None:
    found = client_real.get("/search", query_string={"q": text, "format": "json"}).get_json()["results"]
    assert found[0]["iri"] == ID + expected
    picked = client_real.get("/api/suggest", query_string={"q": text}).get_json()
    assert picked[0]["iri"] == ID + expected
    people = client_real.get("/api/suggest", query_string={"q": "Leon Trotksy", "class": str(TKG) + "Person"})
    assert people.get_json()[0]["iri"] == ID + "person/leon-trotsky"


def test_an_exact_name_still_beats_a_near_one(client_real) -> None:
    found = client_real.get("/search", query_string={"q": "Left Opposition", "format": "json"}).get_json()
    assert found["results"][0]["iri"] == ID + "org/left-opposition"
    assert found["results"][0]["score"] > found["results"][1]["score"]
