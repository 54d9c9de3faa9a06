"""The app mounted under a base path (``SCRIPT_NAME``): every link it makes keeps the prefix.

A reverse proxy that serves the app at ``/tkg/`` passes ``SCRIPT_NAME=/tkg``;
a link that drops it leads out of the app. The pages below are walked on the
real build, and every link into the site (a path, or a URL on its own host)
must start with the prefix.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from tkg.config import Settings

PREFIX = "/tkg"
LINK = re.compile(r'(?:href|src|action|data-suggest)="([^"]*)"')
PAGES = [
    "/",
    "/queries",
    "/queries/descendants?org=https%3A%2F%2Fw3id.org%2Ftrotskyism%2Fid%2Forg%2Ffourth-international",
    "/queries/ancestors",
    "/queries/timeline",
    "/queries/positions",
    "/id/org/fourth-international.html",
    "/svg/family-tree/org/fourth-international",
    "/svg/timeline?from=1928&to=1953",
    "/svg/positions",
    "/search?q=ligue",
    "/id/",
    "/id/org/",
    "/ontology.html",
    "/void",
    "/dumps/",
    "/editor",
    "/sparql",
    "/id/org/no-such-organisation",
    "/no/such/page",
]


@pytest.fixture(scope="module")
def mounted(real_build: Settings) -> Client:
    from server import create_app

    return Client(DispatcherMiddleware(NotFound(), {PREFIX: create_app(real_build)}))


def internal_links(body: str) -> list[str]:
    """The links of a page that point into this site (paths, or URLs on the test host)."""
    links = [link.replace("&amp;", "&") for link in LINK.findall(body)]
    return [link for link in links if link.startswith("/") or link.startswith("http://localhost")]


@pytest.mark.slow
@pytest.mark.parametrize("path", PAGES)
def test_every_link_keeps_the_prefix(mounted: Client, path: str) -> None:
    response = mounted.get(PREFIX + path, headers={"Accept": "text/html"})
    assert response.status_code in (200, 404), (path, response.status_code)
    links = internal_links(response.get_data(as_text=True))
    assert links, f"{path} has no links to check"
    lost = [link for link in links if not link.startswith((PREFIX + "/", f"http://localhost{PREFIX}/"))]
    assert not lost, f"{path}: {len(lost)} of {len(links)} links lose the prefix: {lost[:5]}"


@pytest.mark.slow
def test_the_links_of_a_canned_query_table_and_its_picture_answer_under_the_prefix(mounted: Client) -> None:
    page = mounted.get(PREFIX + "/queries/ancestors").get_data(as_text=True)
    resources = sorted({link for link in internal_links(page) if "/id/" in link})
    assert len(resources) > 3
    for link in resources[:5]:
        assert mounted.get(link.split("#")[0]).status_code in (200, 303), link


@pytest.mark.slow
def test_absolute_links_use_the_prefix_or_the_public_url(real_build: Settings) -> None:
    from dataclasses import replace

    from server import create_app

    plain = Client(DispatcherMiddleware(NotFound(), {PREFIX: create_app(real_build)}))
    void = plain.get(PREFIX + "/void", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert f"<http://localhost{PREFIX}/sparql>" in void
    public = replace(real_build, public_url="https://kg.example.org/trotskyism")
    client = Client(DispatcherMiddleware(NotFound(), {PREFIX: create_app(public)}))
    void = client.get(PREFIX + "/void", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "<https://kg.example.org/trotskyism/sparql>" in void
    assert "http://localhost" not in void
    sd = client.get(PREFIX + "/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "<https://kg.example.org/trotskyism/sparql>" in sd
    openapi = client.get(PREFIX + "/api/openapi.json").get_json()
    assert openapi["servers"] == [{"url": "https://kg.example.org/trotskyism"}]
    page = client.get(PREFIX + "/queries/sources").get_data(as_text=True)
    assert 'id="permalink" href="https://kg.example.org/trotskyism/queries/sources"' in page
