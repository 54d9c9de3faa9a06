"""Resource pages a historian reads: lineage explained, events in order, stances, evidence, JSON-LD."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, FLAGS, SHOTS
from tkg.namespaces import ID


def page(client, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def section(html: str, name: str) -> str:
    return html.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def test_organisation_page_explains_each_inferred_ancestor_by_its_events(client_real) -> None:
    html = page(client_real, "/id/org/crfi")
    lineage = section(html, "lineage")
    ancestors = lineage.split('<ul class="ancestors">', 1)[1]
    entry = ancestors.split('href="/id/org/workers-socialist-league"', 1)[1].split("</ol>", 1)[0]
    assert 'class="inferred"' in entry
    # the chain starts at the ancestor, goes event by event, and ends at the CRFI
    steps = re.findall(r"<li>(.*?)</li>", entry.split('<ol class="chain">', 1)[1])
    assert len(steps) >= 2
    assert steps[0].startswith('<a href="/id/org/workers-socialist-league"')
    assert (
        steps[-1]
        .rstrip()
        .endswith(
            '<a href="/id/org/crfi">Co-ordinating Committee for the Refoundation of the '
            "Fourth International</a>"
        )
    )
    assert all("/id/event/" in step for step in steps)


def test_organisation_page_lists_events_in_time_order_with_before_and_after(client_real) -> None:
    events = section(page(client_real, "/id/org/international-left-opposition"), "events")
    dates = re.findall(r'<span class="date">([^<]+)</span>', events)
    dated = [d for d in dates if d != "undated"]
    assert dated == sorted(dated) and len(dated) >= 3
    assert dates.index("undated") > dates.index(dated[-1]) if "undated" in dates else True
    renaming = events.split("renamed the International Communist League", 1)[1].split("</li>", 1)[0]
    assert 'before: <a href="/id/org/international-left-opposition"' in renaming
    assert 'after: <a href="/id/org/international-communist-league"' in renaming


def test_organisation_page_shows_names_stances_claims_and_evidence(client_real) -> None:
    html = page(client_real, "/id/org/international-left-opposition")
    names = section(html, "names")
    assert "International Left Opposition" in names and "ILO" in names
    stances = section(html, "stances")
    assert "/id/position/degenerated-workers-state" in stances and "<q>" in stances
    evidence = section(html, "evidence")
    assert "Trotsky founded the International Left Opposition in 1930." in evidence
    assert 'href="/id/source/trotskyism"' in evidence
    statements = section(html, "statements")
    assert "founded" in statements and "1930-04-06" in statements
    assert '<figure id="family-tree">' not in html or "/svg/family-tree/org/" in html


def test_person_event_position_and_source_pages(client_real) -> None:
    trotsky = page(client_real, "/id/person/leon-trotsky")
    assert "Leon Trotsky" in trotsky and '<section id="events">' in trotsky
    split = page(client_real, "/id/event/1953-split-of-the-fourth-international")
    assert "/id/org/fourth-international" in split and "<q>" in split
    position = section(page(client_real, "/id/position/state-capitalism"), "stances")
    assert position.count("<li>") >= 1
    assert "/id/person/" in position or "/id/org/" in position
    source = section(page(client_real, "/id/source/trotskyism"), "quotes")
    assert "Trotsky founded the International Left Opposition in 1930." in source


def test_pages_embed_schema_org_json_ld(client_real) -> None:
    html = page(client_real, "/id/org/international-left-opposition")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    data = json.loads(block)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Organization"
    assert data["@id"] == ID + "org/international-left-opposition"
    assert data["name"] == "International Left Opposition" and "ILO" in data["alternateName"]
    assert "1930" in data["foundingDate"]
    assert data["founder"]["@id"] == ID + "person/leon-trotsky"
    person = json.loads(
        re.search(r'ld\+json">(.*?)</script>', page(client_real, "/id/person/leon-trotsky"), re.S)[1]
    )
    assert person["@type"] == "Person"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


def test_a_reader_searches_opens_an_organisation_and_follows_its_lineage(browser, live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = browser.new_page()
    tab.goto(live_server + "/")
    tab.fill("#search-box input[name=q]", "ilo")
    tab.press("#search-box input[name=q]", "Enter")
    tab.wait_for_selector("ol.results li")
    tab.screenshot(path=str(SHOTS / "issue5-1-search.png"), full_page=True)
    tab.click("ol.results li:first-child a")
    tab.wait_for_selector("h1")
    assert tab.url.endswith("/id/org/international-left-opposition.html")
    assert tab.inner_text("h1") == "International Left Opposition"
    assert "Left Opposition" in tab.inner_text("ul.ancestors")
    data = json.loads(
        tab.inner_text("script[type='application/ld+json']")
        or tab.eval_on_selector("script[type='application/ld+json']", "s => s.textContent")
    )
    assert data["@type"] == "Organization"
    tab.screenshot(path=str(SHOTS / "issue5-2-organisation.png"), full_page=True)
    tab.click("ol.events li:first-child > a")
    tab.wait_for_selector("h1")
    assert "/id/event/" in tab.url
    tab.screenshot(path=str(SHOTS / "issue5-3-event.png"), full_page=True)
    tab.goto(live_server + "/ontology#Split")
    assert tab.url.endswith("/ontology.html#Split")
    assert tab.is_visible("section#Split")
    tab.screenshot(path=str(SHOTS / "issue5-4-ontology.png"))
    tab.close()


def test_live_server_dereferences_for_rdf_clients(live_server) -> None:
    import requests
    from rdflib import Graph, URIRef

    iri = ID + "org/fourth-international"
    response = requests.get(
        live_server + "/id/org/fourth-international", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert response.status_code == 200 and response.history[0].status_code == 303
    assert (URIRef(iri), None, None) in Graph().parse(data=response.text, format="turtle")


def test_a_warmed_app_has_its_templates_compiled_and_its_models_loaded(real_build) -> None:
    from server import create_app
    from server.warmup import warm

    app = create_app(real_build)
    assert "tkg_lineage" not in app.extensions
    warm(app)
    assert {"tkg_lineage", "tkg_search", "tkg_inverses"} <= set(app.extensions)
    assert app.jinja_env.cache is not None
    compiled = {key[1] for key in app.jinja_env.cache}
    assert {"resource.html", "query.html"} <= compiled
    assert app.test_client().get("/id/org/fourth-international.html").status_code == 200
