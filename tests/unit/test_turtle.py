"""Turtle parsing (tkg.turtle): rdflib's semantics, read by Oxigraph's parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph

from tkg.turtle import TurtleError, parse_files

P = "<https://example.org/p>"


def test_a_blank_node_label_in_two_files_is_two_nodes(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text(f'_:x {P} "from a" .\n')
    (tmp_path / "b.ttl").write_text(f'_:x {P} "from b" .\n')
    graph, origins = parse_files([tmp_path / "a.ttl", tmp_path / "b.ttl"])
    subjects = set(graph.subjects())
    assert len(subjects) == 2 and all(isinstance(s, BNode) for s in subjects)
    assert all(len(files) == 1 for files in origins.values())
    # as rdflib's own parser reads the two files
    reference = Graph()
    for name in ("a.ttl", "b.ttl"):
        reference.parse(tmp_path / name, format="turtle")
    assert len(set(reference.subjects())) == 2


def test_within_one_file_a_label_is_one_node(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text(f'_:x {P} "one" .\n_:x {P} "two" .\n')
    graph, _ = parse_files([tmp_path / "a.ttl"])
    assert len(set(graph.subjects())) == 1 and len(graph) == 2


def test_malformed_turtle_names_its_file_and_line(tmp_path: Path) -> None:
    s = "<https://example.org/s>"
    (tmp_path / "bad.ttl").write_text(f'{s} {P} "ok" .\n\n{s} {P} .\n')
    with pytest.raises(TurtleError) as error:
        parse_files([tmp_path / "bad.ttl"])
    assert error.value.path.name == "bad.ttl" and error.value.line == 3
