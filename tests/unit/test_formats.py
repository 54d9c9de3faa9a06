"""The format registry: each format once, and every surface's table derived from it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from werkzeug.datastructures import MIMEAccept

from server.negotiation import choose
from tkg import formats
from tkg.formats import FORMATS, by_extension, by_media_type, by_name, carrying

TRIPLE = ox.Triple(
    ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")
)
QUAD = ox.Quad(TRIPLE.subject, TRIPLE.predicate, TRIPLE.object, ox.NamedNode("http://example.org/g"))


def test_an_offered_media_type_always_has_a_format() -> None:
    assert formats.of("application/xhtml+xml") is formats.HTML
    with pytest.raises(KeyError):
        formats.of("image/png")


def test_every_name_media_type_and_extension_names_one_format() -> None:
    seen: dict[str, str] = {}
    for fmt in FORMATS:
        for key in {fmt.media_type, fmt.extension, fmt.name, *fmt.aliases}:
            assert seen.setdefault(key, fmt.name) == fmt.name, f"{key} names {seen[key]} and {fmt.name}"
            assert by_name(key.upper()) is fmt
        assert by_media_type(f"{fmt.media_type}; charset=utf-8") is fmt
        assert by_extension(fmt.extension) is fmt


@pytest.mark.parametrize(
    ("alias", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("ttl", "text/turtle"),
        ("turtle", "text/turtle"),
        ("n3", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("json-ld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("rdf", "application/rdf+xml"),
        ("trig", "application/trig"),
        ("nq", "application/n-quads"),
        ("nquads", "application/n-quads"),
        ("html", "text/html"),
    ],
)
def test_format_parameter_aliases(alias: str, media_type: str) -> None:
    fmt = by_name(alias)
    assert fmt is not None and fmt.media_type == media_type


def _results(query: str, fmt: ox.QueryResultsFormat) -> bytes:
    answer = ox.Store().query(query)
    assert isinstance(answer, ox.QuerySolutions | ox.QueryBoolean)
    body = answer.serialize(format=fmt)
    assert body is not None
    return body


def test_every_writable_format_writes_what_it_says_it_carries() -> None:
    """The pyoxigraph format of each entry writes each kind it claims (read back unless lossy CSV)."""
    for fmt in FORMATS:
        if fmt.oxigraph is None:
            assert not fmt.kinds, fmt.name
            continue
        for kind in fmt.kinds:
            if kind in ("bindings", "boolean"):
                assert isinstance(fmt.oxigraph, ox.QueryResultsFormat)
                assert b"true" in _results("ASK {}", fmt.oxigraph)
                body = _results("SELECT ?x WHERE { VALUES ?x { 1 } }", fmt.oxigraph)
                if fmt.name == "csv":
                    assert body.splitlines() == [b"x", b"1"]
                else:
                    parsed = ox.parse_query_results(body, format=fmt.oxigraph)
                    assert isinstance(parsed, ox.QuerySolutions)
                    assert [str(v) for v in parsed.variables] == ["?x"]
            else:
                items = [QUAD] if kind == "dataset" else [TRIPLE]
                assert isinstance(fmt.oxigraph, ox.RdfFormat)
                back = list(ox.parse(formats.write_rdf(fmt, items), format=fmt.oxigraph))
                assert len(back) == 1 and back[0].object == TRIPLE.object


def test_defaults_and_the_endpoint_table() -> None:
    assert carrying("bindings")[0].media_type == "application/sparql-results+json"
    assert carrying("graph")[0].media_type == "text/turtle"
    table = formats.result_formats()
    assert set(table) == {"bindings", "boolean", "graph"}
    assert list(table["bindings"]) == list(table["boolean"]) == formats.media_types("bindings")
    assert "application/trig" not in table["graph"]  # a CONSTRUCT answers triples
    assert {f.extension for f in formats.rdf_documents()} == {"ttl", "nt", "jsonld", "rdf", "trig", "nq"}
    assert next(iter(formats.rdflib_names())) == "text/turtle"


def test_every_endpoint_format_has_a_w3c_name() -> None:
    """The service description lists each one as ``sd:resultFormat``."""
    iris = [f.w3c_iri for f in formats.endpoint_formats()]
    assert all(iri and iri.startswith("http://www.w3.org/ns/formats/") for iri in iris)
    assert len(set(iris)) == len(iris) == 8


@pytest.mark.parametrize(
    ("param", "offered", "expected"),
    [
        ("json", formats.media_types("bindings"), "application/sparql-results+json"),
        ("json", formats.media_types("graph"), "application/ld+json"),  # a CONSTRUCT asked as json
        ("xml", formats.media_types("graph"), "application/rdf+xml"),
        ("n3", formats.media_types("graph"), "text/turtle"),
        ("text/csv", formats.media_types("bindings"), "text/csv"),
        ("csv", formats.media_types("graph"), None),
        ("xlsx", formats.media_types("bindings"), None),
        ("application/json", ["text/html", "application/json"], "application/json"),
    ],
)
def test_negotiation_by_format_parameter(param: str, offered: list[str], expected: str | None) -> None:
    assert choose(MIMEAccept([]), offered, param) == expected


def test_negotiation_by_accept_honours_q_values_and_our_order() -> None:
    offered = formats.media_types("graph")
    assert choose(MIMEAccept([("*/*", 1)]), offered, None) == "text/turtle"
    accept = MIMEAccept([("text/turtle", 0.5), ("application/n-triples", 0.9)])
    assert choose(accept, offered, None) == "application/n-triples"
    assert choose(MIMEAccept([("application/json", 1)]), offered, None) == "application/ld+json"
    assert choose(MIMEAccept([("image/png", 1)]), offered, None) is None


def test_every_surface_offers_registry_formats_only() -> None:
    """The endpoint, documents, dumps, SD/VoID and the API read their tables from the registry."""
    from server import queries, rdf_documents, sparql, void
    from tkg import dumps, store

    offered = [
        *(m for kind in store.RESULT_FORMATS.values() for m in kind),
        *rdf_documents.OFFERED,
        *sparql.SD_FORMATS,
        *void.OFFERED,
        *queries.API_FORMATS,
        *(d.media_type for d in dumps.FORMATS),
    ]
    assert all(by_name(m) is not None for m in offered), [m for m in offered if by_name(m) is None]
    assert sparql.SD_FORMATS == void.FORMATS == formats.rdflib_names()
    assert formats.media_types("bindings") == queries.API_FORMATS
    assert {d.suffix for d in dumps.FORMATS} <= set(rdf_documents.EXTENSIONS)
