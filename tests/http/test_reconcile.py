"""``/reconcile``: the Reconciliation Service API 0.2, every document checked against the group's schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tkg.config import ROOT
from tkg.namespaces import ID, TKG

SPEC = ROOT.parent / "shared" / "reconciliation" / "0.2"
pytestmark = pytest.mark.skipif(not SPEC.is_dir(), reason="no ../shared/reconciliation beside this clone")


def _registry() -> Registry:
    resources = []
    for path in sorted((SPEC / "schemas").glob("*.json")):
        schema = json.loads(path.read_text())
        if "$id" in schema:
            resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


def valid(document: Any, schema: str) -> Any:
    """``document``, after checking it against the specification's schema ``schema``.json."""
    contents = json.loads((SPEC / "schemas" / f"{schema}.json").read_text())
    validator = Draft7Validator(contents, registry=_registry())
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, f"{schema}: " + "; ".join(e.message for e in errors[:3])
    return document


def reconcile(client, queries: dict[str, Any], method: str = "post") -> dict[str, Any]:
    if method == "post":
        response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    else:
        response = client.get("/reconcile", query_string={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    valid(queries, "reconciliation-query-batch")
    return valid(response.get_json(), "reconciliation-result-batch")


def top(client, text: str, **query: Any) -> list[dict[str, Any]]:
    return reconcile(client, {"q": {"query": text, **query}})["q"]["result"]


def test_the_manifest_names_the_spaces_types_and_services(client_real) -> None:
    response = client_real.get("/reconcile")
    manifest = valid(response.get_json(), "manifest")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert manifest["identifierSpace"] == ID and manifest["schemaSpace"] == str(TKG)
    types = {t["id"] for t in manifest["defaultTypes"]}
    assert {"Organisation", "Party", "International", "Person", "Event", "Periodical"} <= types
    assert set(manifest["suggest"]) == {"entity", "type", "property"}
    # the view and preview templates lead to the resource's page and card
    view = manifest["view"]["url"].replace("{{id}}", "org/crfi").replace("http://localhost", "")
    assert client_real.get(view).status_code == 303
    card = manifest["preview"]["url"].replace("{{id}}", "org/crfi").replace("http://localhost", "")
    assert "Refoundation of the Fourth International" in client_real.get(card).get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("USFI", None, "org/united-secretariat-of-the-fourth-international"),  # an acronym
        ("lutte ouvriere", "Organisation", "org/lutte-ouvriere"),  # French, accents dropped
        ("LIGUE COMMUNISTE", "Organisation", "org/communist-league-france"),  # case
        ("Ligue comuniste", "Organisation", "org/communist-league-france"),  # a typo in French
        ("Fouth Internatonal", None, "org/fourth-international"),  # typos in English
        ("Trotksy", "Person", "person/leon-trotsky"),
    ],
)
def test_names_in_any_language_case_accents_acronyms_and_typos(client_real, text, kind, expected) -> None:
    found = top(client_real, text, **({"type": kind} if kind else {}))
    assert found[0]["id"] == expected, [c["id"] for c in found[:3]]
    assert all(0 <= c["score"] <= 100 for c in found)
    assert [c["score"] for c in found] == sorted((c["score"] for c in found), reverse=True)


def test_match_only_for_a_single_exact_name(client_real) -> None:
    exact = top(client_real, "Co-ordinating Committee for the Refoundation of the Fourth International")
    assert exact[0]["match"] and exact[0]["score"] == 100 and not any(c["match"] for c in exact[1:])
    typo = top(client_real, "Coordinating Comittee for the Refoundation of the Fourth International")
    assert typo[0]["id"] == "org/crfi" and not typo[0]["match"]
    # five parties are called the Socialist Equality Party: each is exact, none is the match
    shared = top(client_real, "Socialist Equality Party")
    assert sum(c["score"] == 100 for c in shared) >= 2 and not any(c["match"] for c in shared)


def test_the_type_filter_and_the_limit(client_real) -> None:
    people = top(client_real, "trotsky", type="Person", limit=3)
    assert 1 <= len(people) <= 3
    assert all("Person" in {t["id"] for t in c["type"]} for c in people)
    organisations = top(client_real, "trotsky", type=["Party", str(TKG) + "International"], limit=50)
    kinds = [{t["id"] for t in c["type"]} for c in organisations]
    assert kinds and all(k & {"Party", "International"} for k in kinds)
    assert len(top(client_real, "party", limit=2)) == 2


def test_properties_in_a_query_move_the_scores(client_real) -> None:
    plain_ = top(client_real, "Socialist Workers Party", type="Party")
    british = top(
        client_real, "Socialist Workers Party", type="Party", properties=[{"pid": "country", "v": "Britain"}]
    )
    german = top(
        client_real,
        "Socialist Workers Party",
        type="Party",
        properties=[{"pid": "country", "v": {"id": "country/germany", "name": "Germany"}}],
    )
    assert british[0]["id"] == "org/socialist-workers-party-britain"
    assert german[0]["id"] == "org/socialist-workers-party-of-germany"
    before = {c["id"]: c["score"] for c in plain_}
    after = {c["id"]: c["score"] for c in german}
    assert after["org/socialist-workers-party-of-germany"] > before["org/socialist-workers-party-of-germany"]
    assert after["org/socialist-workers-party-britain"] < before["org/socialist-workers-party-britain"]
    features = {f["id"]: f["value"] for f in german[0]["features"]}
    assert features["country"] is True and features["name"] > 50


def _unique(rows: dict[str, Any], prop: str, key: str) -> tuple[str, str]:
    """A candidate whose value of ``prop`` no other candidate shares, and that value."""
    values = {i: {v[key][:4] if key == "str" else v[key] for v in row[prop]} for i, row in rows.items()}
    for identifier, mine in sorted(values.items()):
        others = set().union(*(v for i, v in values.items() if i != identifier))
        if mine - others:
            return identifier, sorted(mine - others)[0]
    raise AssertionError(f"no candidate has a {prop} of its own")


@pytest.mark.parametrize(
    ("text", "pid", "key"),
    [("Socialist Equality Party", "founded", "str"), ("Socialist Workers Party", "sectionOf", "name")],
)
def test_founding_year_and_international_tell_namesakes_apart(client_real, text, pid, key) -> None:
    """Namesakes: the one the year (or international) belongs to comes first, ahead of the rest."""
    before = top(client_real, text, type="Party", limit=10)
    ids = [c["id"] for c in before]
    extension = {"ids": ids, "properties": [{"id": pid}]}
    rows = client_real.post("/reconcile", data={"extend": json.dumps(extension)}).get_json()["rows"]
    target, value = _unique(rows, pid, key)
    column = "year" if pid == "founded" else "international"  # a spreadsheet's names for them
    after = top(client_real, text, type="Party", limit=10, properties=[{"pid": column, "v": value}])
    assert after[0]["id"] == target
    score = {c["id"]: c["score"] for c in before}
    assert after[0]["score"] >= score[target] and after[0]["score"] > after[1]["score"]
    assert {f["id"]: f["value"] for f in after[0]["features"]}[pid] is True


def test_get_and_post_answer_the_same(client_real) -> None:
    batch = {"a": {"query": "ILO"}, "b": {"query": "Leon Trotsky", "type": "Person", "limit": 1}}
    assert reconcile(client_real, batch, "get") == reconcile(client_real, batch, "post")


def test_data_extension_gives_iris_and_literals(client_real) -> None:
    query = {
        "ids": [
            "org/crfi",
            "org/international-left-opposition",
            f"{ID}org/fourth-international",
            "org/nothing",
        ],
        "properties": [
            {"id": p} for p in ("founded", "country", "descendsFrom", "sectionOf", "heldPosition")
        ],
    }
    valid(query, "data-extension-query")
    response = client_real.post("/reconcile", data={"extend": json.dumps(query)})
    document = valid(response.get_json(), "data-extension-response")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert [m["id"] for m in document["meta"]] == [p["id"] for p in query["properties"]]
    rows = document["rows"]
    assert set(rows) == set(query["ids"])
    ancestors = {v["id"] for v in rows["org/crfi"]["descendsFrom"]}
    assert "org/workers-socialist-league" in ancestors
    assert {"1930", "1930-04-06"} <= {v["str"] for v in rows["org/international-left-opposition"]["founded"]}
    assert all(values == [] for values in rows["org/nothing"].values())
    again = client_real.get("/reconcile", query_string={"extend": json.dumps(query)}).get_json()
    assert again == document


def test_property_proposals_and_suggest(client_real) -> None:
    proposed = valid(
        client_real.get("/reconcile/propose_properties?type=Organisation").get_json(),
        "data-extension-property-proposal",
    )
    assert {"founded", "dissolved", "country", "sectionOf", "descendsFrom", "heldPosition"} == {
        p["id"] for p in proposed["properties"]
    }
    entities = valid(
        client_real.get("/reconcile/suggest/entity?prefix=fouth").get_json(), "suggest-entities-response"
    )
    assert entities["result"][0]["id"] == "org/fourth-international"
    people = client_real.get("/reconcile/suggest/entity?prefix=trot&type=Person").get_json()["result"]
    assert people and all("Person" in {t["id"] for t in p["notable"]} for p in people)
    types = valid(client_real.get("/reconcile/suggest/type?prefix=part").get_json(), "suggest-types-response")
    assert types["result"][0]["id"] == "Party"
    props = valid(
        client_real.get("/reconcile/suggest/property?prefix=coun").get_json(), "suggest-properties-response"
    )
    assert [p["id"] for p in props["result"]] == ["country"]


def test_the_preview_is_a_small_card_and_unknown_ids_are_404(client_real) -> None:
    card = client_real.get("/reconcile/preview?id=org/lutte-ouvriere")
    text = card.get_data(as_text=True)
    assert card.status_code == 200 and card.mimetype == "text/html"
    assert "Lutte Ouvrière" in text and "/id/org/lutte-ouvriere" in text and len(text) < 5000
    assert "frame-ancestors *" in card.headers["Content-Security-Policy"]  # OpenRefine frames it
    assert client_real.get("/reconcile/preview?id=org/nothing-here").status_code == 404
    hostile = client_real.get("/reconcile/flyout/type?id=<script>alert(1)</script>").get_json()
    assert "<script>" not in hostile["html"]
    flyout = client_real.get("/reconcile/flyout/entity?id=org/crfi").get_json()
    assert flyout["id"] == "org/crfi" and "Refoundation" in flyout["html"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ("{}", "JSON object"),
        ('{"q": "ILO"}', "'query' string"),
        ('{"q": {"query": ""}}', "non-empty"),
        ('{"q": {"query": "ILO", "limit": 0}}', "limit"),
        ('{"q": {"query": "ILO", "limit": "ten"}}', "limit"),
        ('{"q": {"query": "ILO", "type": 3}}', "type"),
        ('{"q": {"query": "ILO", "properties": {"pid": "country"}}}', "properties"),
        ('{"q": {"query": "ILO", "properties": [{"pid": "country"}]}}', "'pid' and a 'v'"),
        ('{"q": {"query": "ILO", "properties": [{"pid": "colour", "v": "red"}]}}', "unknown property"),
        (json.dumps({f"q{n}": {"query": "x"} for n in range(101)}), "at most 100"),
        ("[" * 5_000 + "]" * 5_000, "nests deeper"),
        ('{"q": {"query": "ILO", "properties": [{"pid": "founded", "v": Infinity}]}}', "Infinity is not"),
        ('{"q": {"query": "ILO", "properties": [{"pid": "founded", "v": NaN}]}}', "NaN is not"),
        (
            json.dumps({"q": {"query": "ILO", "properties": [{"pid": "country", "v": "x"}] * 21}}),
            "at most 20",
        ),
    ],
)
def test_malformed_batches_get_400_with_a_sentence(client_real, payload: str, words: str) -> None:
    response = client_real.post("/reconcile", data={"queries": payload})
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "payload",
    [
        '{"ids": "org/crfi"}',
        '{"ids": ["org/crfi"], "properties": []}',
        '{"ids": ["org/crfi"], "properties": [{"id": "x"}]}',
    ],
)
def test_malformed_extensions_get_400(client_real, payload: str) -> None:
    response = client_real.post("/reconcile", data={"extend": payload})
    assert response.status_code == 400 and response.get_data(as_text=True).startswith("400 Bad Request:")


def test_cors_preflight_and_jsonp(client_real) -> None:
    preflight = client_real.options("/reconcile", headers={"Origin": "https://example.org"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    wrapped = client_real.get("/reconcile?callback=jsonp123").get_data(as_text=True)
    assert wrapped.startswith("/**/jsonp123(") and wrapped.endswith(");")
    valid(json.loads(wrapped[len("/**/jsonp123(") : -2]), "manifest")
    hostile = client_real.get("/reconcile?callback=alert(1)//")
    assert hostile.mimetype == "application/json"


def test_the_groups_examples_still_validate_here() -> None:
    """The validator itself: the specification's valid examples pass and its invalid ones fail."""
    for folder, schema in [
        ("manifest", "manifest"),
        ("reconciliation-result-batch", "reconciliation-result-batch"),
    ]:
        for path in (SPEC / "examples" / folder / "valid").glob("*.json"):
            valid(json.loads(path.read_text()), schema)
        for path in (SPEC / "examples" / folder / "invalid").glob("*.json"):
            with pytest.raises(AssertionError):
                valid(json.loads(path.read_text()), schema)


def test_the_documented_run_of_thirty_names(client_real) -> None:
    """``scripts/reconciliation_run.py``, whose output is ``docs/reconciliation.md``: every answer valid."""
    from scripts.reconciliation_run import NAMES, markdown, run

    def post(batch: dict[str, Any]) -> dict[str, Any]:
        valid(batch, "reconciliation-query-batch")
        response = client_real.post("/reconcile", data={"queries": json.dumps(batch)})
        return valid(response.get_json(), "reconciliation-result-batch")

    rows = run(post)
    assert len(rows) == len(NAMES) == 30
    found = {name: result[0] for _, (name, *_), result in rows if result}
    assert len(found) >= 25
    misspelt = [name for _, (name, _, _, note), _ in rows if "misspelt" in note]
    assert misspelt and all(name in found and not found[name]["match"] for name in misspelt)
    assert markdown(rows).count("\n| ") == 32  # the header, its rule and a row per name
