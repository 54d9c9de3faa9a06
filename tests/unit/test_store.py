"""The row and byte caps of a SELECT answer, written once in the format asked for."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tkg.store import RESULT_FORMATS, EmbeddedStore, ResultTooLarge

EX = "http://example.org/"
#: Literals holding every format's row marks, so that only real rows may be counted.
TRICKY = ['a,{"b"},{}[{x', "two\r\nlines\nhere", "<result></result>", '"quoted","" \t tab', "plain"]
QUERIES = {
    "rows": "SELECT ?s ?o WHERE { ?s ?p ?o }",
    "empty rows": f"SELECT ?n WHERE {{ ?s ?p ?o OPTIONAL {{ ?s <{EX}none> ?n }} }}",
    "some empty": f"SELECT ?o WHERE {{ ?s ?p ?x OPTIONAL {{ ?s <{EX}p> ?o FILTER(STRLEN(?o) > 5) }} }}",
    "no variables": "SELECT * WHERE {}",
    "none": f"SELECT ?s WHERE {{ ?s <{EX}none> ?o }}",
    "many": "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y }",
}


def store() -> EmbeddedStore:
    memory = ox.Store()
    for i, text in enumerate(TRICKY * 8):
        subject = ox.NamedNode(f"{EX}s{i}")
        memory.add(
            ox.Quad(subject, ox.NamedNode(f"{EX}p"), ox.Literal(text, language="en" if i % 2 else None))
        )
    return EmbeddedStore.of(memory)


@pytest.mark.parametrize("media_type", sorted(RESULT_FORMATS["bindings"]))
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_capped_answer_is_the_plain_answer_and_one_row_less_is_refused(media_type: str, name: str) -> None:
    graph = store()
    plain = graph.query(QUERIES[name]).serialize(media_type)
    rows = len(list(graph.query(QUERIES[name]).solutions()))
    assert graph.query(QUERIES[name]).serialize(media_type, max_rows=rows, max_bytes=len(plain)) == plain
    if rows:
        with pytest.raises(ResultTooLarge, match=f"more than {rows - 1} result rows") as refused:
            graph.query(QUERIES[name]).serialize(media_type, max_rows=rows - 1)
        assert refused.value.status == 413


@pytest.mark.parametrize("media_type", sorted(RESULT_FORMATS["bindings"]))
def test_an_answer_over_the_byte_cap_is_refused_while_it_is_written(media_type: str) -> None:
    graph = store()
    plain = graph.query(QUERIES["many"]).serialize(media_type)
    assert len(plain) > 50_000  # written in several pieces
    with pytest.raises(ResultTooLarge, match="over 10000 bytes"):
        graph.query(QUERIES["many"]).serialize(media_type, max_rows=10**6, max_bytes=10_000)
