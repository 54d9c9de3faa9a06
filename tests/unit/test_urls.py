"""The URL builder: base path, public URL, our IRIs to our pages, others left alone."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask

from server.urls import Urls, href, urls
from tkg.config import Settings
from tkg.namespaces import BASE, ID, ONTOLOGY_IRI, TKG

ORG = ID + "org/crfi"


@pytest.mark.parametrize("root", ["", "/tkg", "/a/b"])
def test_our_iris_link_to_our_pages_under_the_base_path(root: str) -> None:
    links = Urls(root=root, host="http://h.example/")
    assert links.href(ORG) == f"{root}/id/org/crfi"
    assert links.href(str(TKG) + "Split") == f"{root}/ontology#Split"
    assert links.href(ONTOLOGY_IRI) == f"{root}/ontology"
    assert links.href("http://www.w3.org/ns/org#Organization") == "http://www.w3.org/ns/org#Organization"
    assert links.local("https://example.org/elsewhere") is None
    assert links.path("/void") == f"{root}/void"
    assert links.absolute("/void") == f"http://h.example{root}/void"
    assert links.absolute_href(ORG) == f"http://h.example{root}/id/org/crfi"


def test_the_public_url_wins_for_absolute_links_only() -> None:
    links = Urls(root="/tkg", public="https://kg.example.org/trotskyism", host="http://10.0.0.5:8000/")
    assert links.absolute("/sparql") == "https://kg.example.org/trotskyism/sparql"
    assert links.absolute_href(ORG) == "https://kg.example.org/trotskyism/id/org/crfi"
    assert links.href(ORG) == "/tkg/id/org/crfi"  # pages keep the reader on the server they use


def test_canonical_iris_from_our_urls() -> None:
    links = Urls(root="/tkg", public="https://kg.example.org", host="http://10.0.0.5/")
    assert links.canonical_iri(ORG) == ORG
    assert links.canonical_iri("http://10.0.0.5/tkg/id/org/crfi") == BASE + "id/org/crfi"
    assert links.canonical_iri("https://kg.example.org/id/org/crfi") == BASE + "id/org/crfi"
    assert links.canonical_iri("https://elsewhere.example/id/org/crfi") is None


def _app(public: str | None) -> Flask:
    app = Flask(__name__)
    app.config["TKG_SETTINGS"] = replace(Settings(), public_url=public)
    app.add_url_rule("/queries/<name>", "page", lambda name: name)
    return app


def test_the_builder_of_a_request_knows_its_script_name_and_the_public_url() -> None:
    app = _app(None)
    with app.test_request_context("/queries/x", base_url="http://h.example/prefix"):
        links = urls()
        assert links.root == "/prefix"
        assert href(ORG) == "/prefix/id/org/crfi"
        assert links.for_endpoint("page", name="x") == "/prefix/queries/x"
        assert links.for_endpoint("page", external=True, name="x") == "http://h.example/prefix/queries/x"
        assert links.here() == "http://h.example/prefix/queries/x"
    with _app("https://kg.example.org/pub").test_request_context("/queries/x", base_url="http://h/prefix"):
        assert urls().for_endpoint("page", external=True, name="x") == "https://kg.example.org/pub/queries/x"
        assert urls().for_endpoint("page", name="x") == "/prefix/queries/x"


def test_settings_read_the_public_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TKG_PUBLIC_URL", "https://kg.example.org/tkg/")
    assert Settings().public_url == "https://kg.example.org/tkg"
    monkeypatch.delenv("TKG_PUBLIC_URL")
    assert Settings().public_url is None
