"""``/reconcile`` through the production server (granian), as OpenRefine and browser widgets call it."""

from __future__ import annotations

import json

import requests


def test_a_batch_by_post_form_and_a_preflight_through_the_real_server(live_server: str) -> None:
    batch = {
        "q0": {"query": "Lutte Ouvriere", "type": "Organisation"},
        "q1": {"query": "Trotksy", "type": "Person"},
    }
    response = requests.post(live_server + "/reconcile", data={"queries": json.dumps(batch)}, timeout=30)
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    answer = response.json()
    assert answer["q0"]["result"][0]["id"] == "org/lutte-ouvriere" and answer["q0"]["result"][0]["match"]
    assert answer["q1"]["result"][0]["id"] == "person/leon-trotsky"
    preflight = requests.options(
        live_server + "/reconcile",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    broken = requests.post(live_server + "/reconcile", data={"queries": "{oops"}, timeout=30)
    assert broken.status_code == 400 and "not JSON" in broken.text


def test_the_manifest_by_get_and_by_jsonp(live_server: str) -> None:
    manifest = requests.get(live_server + "/reconcile", timeout=30).json()
    assert manifest["view"]["url"] == live_server + "/id/{{id}}"
    wrapped = requests.get(live_server + "/reconcile", params={"callback": "cb"}, timeout=30)
    assert wrapped.headers["Content-Type"].startswith("application/javascript")
    assert json.loads(wrapped.text[len("/**/cb(") : -2]) == manifest
