"""Content negotiation: q-values, wildcards, ``format=`` short names and graph twins."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from server.negotiation import choose, from_format_param, page_or_json, rdf_or_page

TABLES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPHS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]


def accept(header: str) -> MIMEAccept:
    return parse_accept_header(header, MIMEAccept)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", TABLES[0]),
        ("*/*", TABLES[0]),
        ("text/csv", "text/csv"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("image/png", None),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_accept_with_q_values_and_wildcards(header: str, expected: str | None) -> None:
    assert choose(accept(header), TABLES, None) == expected


def test_format_overrides_accept_and_short_names_map_to_graph_twins() -> None:
    assert choose(accept("text/csv"), TABLES, "tsv") == "text/tab-separated-values"
    assert from_format_param("json", GRAPHS) == "application/ld+json"
    assert from_format_param("TURTLE", GRAPHS) == "text/turtle"
    assert from_format_param("text/turtle", GRAPHS) == "text/turtle"
    assert from_format_param("png", GRAPHS) is None


def test_documents_offer_rdf_to_programs_and_the_page_to_browsers() -> None:
    offered = rdf_or_page(GRAPHS)
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert choose(accept(browser), offered, None) == "text/html"
    assert choose(accept(""), offered, None) == "text/turtle"
    assert choose(accept("*/*"), offered, None) == "text/turtle"
    assert page_or_json(accept(""), "json") == "application/json"
    assert page_or_json(accept(browser), None) == "text/html"
