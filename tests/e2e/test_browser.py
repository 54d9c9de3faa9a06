"""The reader's pages in a real browser: Playwright driving Debian's chromium against the live server.

``make test`` installs chromium (``make browser``) and the editor's files
(``make static``); nothing here is skipped. Each step writes a screenshot to
``build/screenshots/`` (or ``$TKG_SCREENSHOTS``) for review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser import CHROMIUM, FLAGS, SHOTS
from tkg.canned import load_all

pytestmark = pytest.mark.slow

ORG = "https://w3id.org/trotskyism/id/org/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    # Offline: any request that leaves the server under test fails the test.
    outside: list[str] = []

    def guard(route) -> None:
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not outside, f"the page tried to reach outside the server: {outside}"
    assert not errors, f"JavaScript errors: {errors}"


def shot(page: Page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_gallery_lists_every_query(page: Page) -> None:
    page.goto("/queries")
    names = page.locator("li.canned").evaluate_all("items => items.map(i => i.dataset.name)")
    assert set(names) == set(load_all())
    shot(page, "01-gallery")


def test_pick_an_organisation_from_the_suggestions_and_see_its_splits(page: Page) -> None:
    page.goto("/queries/splits-from")
    box = page.locator("#param-org")
    box.fill("")
    box.press_sequentially("movement for soc", delay=30)
    option = page.get_by_role("option", name="Movement for Socialism (Argentina)")
    expect(option).to_be_visible()
    shot(page, "02-suggestions")
    option.click()
    expect(page.locator("input[type=hidden][name=org]")).to_have_value(
        ORG + "movement-for-socialism-argentina"
    )
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url(re.compile(r"org=.*movement-for-socialism-argentina"))
    table = page.locator("table.results")
    for name in (
        "Self-determination and Freedom (Argentina)",
        "Socialist Left (Argentina)",
        "Workers' Socialist Movement (Argentina)",
        "Socialist Workers' Party (Argentina)",
    ):
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.locator("#row-count")).to_have_text("4")
    expect(page.locator("#param-org")).to_have_value("Movement for Socialism (Argentina)")
    shot(page, "03-results")


def test_a_result_link_opens_the_organisations_page(page: Page) -> None:
    page.goto(f"/queries/splits-from?org={ORG}fourth-international")
    # two 1953 split events of the data have the ICFI as result: two rows, the same link
    link = (
        page.locator("table.results")
        .get_by_role("link", name="International Committee of the Fourth International", exact=True)
        .first
    )
    with page.expect_navigation() as navigation:
        link.click()
    shot(page, "04-organisation-page")
    # the IRI answers 303 to its HTML description (the linked-data pattern of issue 5)
    assert page.url.endswith("/id/org/international-committee-of-the-fourth-international.html")
    response = navigation.value
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_contain_text("International Committee of the Fourth International")


def test_family_tree_svg_holds_the_expected_organisations(page: Page) -> None:
    page.goto("/queries/ancestors?org=o:crfi")
    tree = page.locator("svg.family-tree")
    expect(tree).to_be_visible()
    labels = tree.locator("g.node").evaluate_all("nodes => nodes.map(n => n.dataset.label)")
    assert {
        "Co-ordinating Committee for the Refoundation of the Fourth International",
        "International Trotskyist Opposition",
        "Faction for the Trotskyist International",
        "Workers Socialist League",
    } <= set(labels)
    assert tree.locator("g.edge-split").count() >= 1 and tree.locator("g.edge-fusion").count() >= 1
    shot(page, "05-family-tree")
    page.goto("/svg/family-tree/org/left-opposition")
    expect(page.locator("g.node.focus")).to_have_attribute("data-label", "Left Opposition")
    shot(page, "06-family-tree-svg", full_page=False)  # a bare SVG document has no page to scroll


def test_editor_runs_a_query_and_shows_results(page: Page) -> None:
    query = load_all()["sources"]
    page.goto("/editor?query=" + quote(query.text))
    editor = page.locator(".yasqe .CodeMirror")
    expect(editor).to_be_visible()
    expect(page.locator(".yasqe .cm-keyword").first).to_be_visible()  # syntax highlighting
    shot(page, "07-editor")
    with page.expect_response(lambda r: "/sparql" in r.url and r.request.method == "POST") as answer:
        page.locator(".yasqe_queryButton").click()
    assert answer.value.status == 200
    results = page.locator(".yasr")
    expect(results).to_contain_text("Trotskyism (encyclopedia article)")
    expect(results).to_contain_text("International Left Opposition, 1928-33 (Dave Stockton, L5I)")
    shot(page, "08-editor-results")


def test_editor_completes_the_projects_prefixes(page: Page) -> None:
    page.goto("/editor?query=" + quote("SELECT * WHERE { ?s ?p ?o }"))
    page.locator(".yasqe .CodeMirror").click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")
    page.keyboard.type("PREFIX tk", delay=30)
    hint = page.locator(".CodeMirror-hints")
    expect(hint).to_contain_text("tkg: <https://w3id.org/trotskyism/ontology#>")
    shot(page, "09-editor-prefix-completion")
