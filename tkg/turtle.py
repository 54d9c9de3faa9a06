"""Parse the Turtle inputs, failing with the file and line of the first error."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from .namespaces import BASE, CANONICAL, rebase
from .storage import to_rdflib


class TurtleError(Exception):
    """A Turtle file does not parse; carries its path and 1-based line."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: malformed Turtle: {reason}")


def turtle_files(directory: Path) -> list[Path]:
    """The ``*.ttl`` files of a directory, in a stable order."""
    return sorted(directory.glob("*.ttl"))


Triple = tuple[Node, Node, Node]


def read_triples(path: Path) -> tuple[list[Triple], dict[str, str]]:
    """The triples of one Turtle file as rdflib terms, and its prefixes.

    Oxigraph's parser reads the file (in Rust, several times rdflib's speed);
    each triple then becomes rdflib terms, which validation, skolemisation and
    the lint still work on. Blank nodes get fresh labels per file, as rdflib's
    parser gives them; the file's URI is the base, as for rdflib. IRIs written under the
    canonical ``id/`` and ``graph/`` become this deployment's (``TKG_BASE_IRI``), so the store
    holds only its own.
    """
    try:
        parser = ox.parse(
            path=str(path),
            format=ox.RdfFormat.TURTLE,
            base_iri=path.resolve().as_uri(),
            rename_blank_nodes=True,  # ``_:x`` in two files is two nodes, as in rdflib
        )
        triples = [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in parser]
        if BASE != CANONICAL:
            triples = [(_rebased(s), _rebased(p), _rebased(o)) for s, p, o in triples]
    except SyntaxError as error:
        raise TurtleError(path, error.lineno, error.msg) from error
    except (OSError, ValueError) as error:
        raise TurtleError(path, None, str(error)) from error
    return triples, {prefix: rebase(namespace) for prefix, namespace in parser.prefixes.items()}


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file into ``graph`` (a new one by default); a failure leaves it untouched."""
    graph = Graph() if graph is None else graph
    triples, prefixes = read_triples(path)
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=False)
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


_SH = "http://www.w3.org/ns/shacl#"
_CANONICAL_ID_PATTERN = "^" + re.escape(CANONICAL + "id/")


def rebase_shapes(shapes: Graph) -> Graph:
    """The shapes with their ``sh:pattern`` (and message) on the canonical ``id/`` about this
    deployment's instead: the patterns are strings, which :func:`parse_file` leaves alone."""
    if BASE == CANONICAL:
        return shapes
    for predicate in (URIRef(_SH + "pattern"), URIRef(_SH + "message")):
        for node, text in list(shapes.subject_objects(predicate)):
            if not isinstance(text, Literal):
                continue
            new = str(text).replace(_CANONICAL_ID_PATTERN, "^" + re.escape(BASE + "id/"))
            new = new.replace(CANONICAL + "id/", BASE + "id/")
            if new != str(text):
                shapes.remove((node, predicate, text))
                shapes.add((node, predicate, Literal(new, lang=text.language, datatype=text.datatype)))
    return shapes


def _rebased(term: Node) -> Node:
    return URIRef(rebase(term)) if isinstance(term, URIRef) else term


def parse_files(
    paths: Iterable[Path], prepare: Callable[[list[Triple]], list[Triple]] | None = None
) -> tuple[Graph, dict[str, set[str]]]:
    """Parse several Turtle files into one graph, each file's triples through ``prepare`` first.

    Also returns, for each subject as written, the names of the files that describe it, so
    that a validation problem can say where to look. Each file's triples go
    straight into the one graph (no graph per file to copy from: rdflib's
    inserts are most of the parse).
    """
    graph = Graph()
    origins: dict[str, set[str]] = {}
    for path in paths:
        triples, prefixes = read_triples(path)
        for subject in {str(s) for s, _, _ in triples}:
            origins.setdefault(subject, set()).add(path.name)
        # Claims and evidence are blank nodes: file them under what they are about.
        for node, _, target in (t for t in triples if t[1] == RDF.subject):
            origins.setdefault(str(node), set()).add(path.name)
            origins.setdefault(str(target), set()).add(path.name)
        if prepare is not None:
            triples = prepare(triples)
        graph.addN((s, p, o, graph) for s, p, o in triples)
        for prefix, namespace in prefixes.items():
            graph.bind(prefix, namespace, override=False)
    return graph, origins
