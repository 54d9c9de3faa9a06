"""Parse the Turtle inputs, failing with the file and line of the first error."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef

from .namespaces import BASE, CANONICAL, rebase
from .storage import bulk_extend, to_rdflib


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


Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: A triple as Oxigraph's parser gives it: the build keeps pyoxigraph terms from the file to the store.
Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, Term]


def read_triples(path: Path) -> tuple[list[Triple], dict[str, str]]:
    """The triples of one Turtle file as pyoxigraph terms, and its prefixes.

    Oxigraph's parser reads the file (in Rust, several times rdflib's speed).
    Blank nodes get fresh labels per file, as rdflib's parser gives them; the
    file's URI is the base, as for rdflib. IRIs written under the canonical
    ``id/`` and ``graph/`` become this deployment's (``TKG_BASE_IRI``), so the store
    holds only its own.
    """
    try:
        parser = ox.parse(
            path=str(path),
            format=ox.RdfFormat.TURTLE,
            base_iri=path.resolve().as_uri(),
            rename_blank_nodes=True,  # ``_:x`` in two files is two nodes, as in rdflib
        )
        triples: list[Triple] = [(q.subject, q.predicate, q.object) for q in parser]  # type: ignore[misc]
        if BASE != CANONICAL:
            triples = [(_rebased(s), _rebased(p), _rebased(o)) for s, p, o in triples]  # type: ignore[misc]
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
    graph.addN((to_rdflib(s), to_rdflib(p), to_rdflib(o), graph) for s, p, o in triples)
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


def _rebased(term: Term) -> Term:
    return ox.NamedNode(rebase(term.value)) if isinstance(term, ox.NamedNode) else term


Prepare = Callable[[list[Triple]], list[Triple]]


#: For each subject as written, the names of the files that describe it. The sets are shared
#: (most subjects are in one file), so millions of subjects cost a dictionary entry each.
Origins = dict[str, frozenset[str]]


def _read_each(
    paths: Iterable[Path], origins: Origins, prepare: Prepare | None
) -> Iterator[tuple[list[Triple], dict[str, str]]]:
    """Each file's triples (through ``prepare``) and prefixes, noting in ``origins`` which file
    describes which subject as written (claims and evidence are blank nodes: they are filed
    under what they are about)."""
    rdf_subject = ox.NamedNode(str(RDF.subject))
    shared: dict[frozenset[str], frozenset[str]] = {}

    def note(key: str, here: frozenset[str]) -> None:
        found = origins.get(key)
        if found is None:
            origins[key] = shared.setdefault(here, here)
        elif not here <= found:
            both = found | here
            origins[key] = shared.setdefault(both, both)

    for path in paths:
        triples, prefixes = read_triples(path)
        here = frozenset((path.name,))
        for subject in {s.value for s, _, _ in triples}:
            note(subject, here)
        for node, _, target in (t for t in triples if t[1] == rdf_subject):
            note(node.value, here)
            note(target.value, here)
        yield (triples if prepare is None else prepare(triples)), prefixes


def parse_files(paths: Iterable[Path], prepare: Prepare | None = None) -> tuple[Graph, Origins]:
    """Parse several Turtle files into one rdflib graph, each file's triples through ``prepare`` first.

    For what stays small or is the reference (the shapes, the ontology the reasoner reads, the
    tests' rdflib paths); the build parses its data with :func:`parse_into`. Also returns, for
    each subject as written, the names of the files that describe it, so that a validation
    problem can say where to look.
    """
    graph = Graph()
    origins: Origins = {}
    for triples, prefixes in _read_each(paths, origins, prepare):
        graph.addN((to_rdflib(s), to_rdflib(p), to_rdflib(o), graph) for s, p, o in triples)
        for prefix, namespace in prefixes.items():
            graph.bind(prefix, namespace, override=False)
    return graph, origins


def parse_into(
    store: ox.Store, paths: Iterable[Path], graph_iri: str, prepare: Prepare | None = None
) -> Origins:
    """Parse Turtle files straight into one named graph of ``store``; return the origins.

    No rdflib object is made: Oxigraph's terms go from the parser to the store, one file at a
    time (a file is the unit ``prepare`` names blank nodes in). A malformed file raises
    :class:`TurtleError` (the build then removes the store it was parsing into).
    """
    name = ox.NamedNode(graph_iri)
    origins: Origins = {}
    quads = (
        ox.Quad(s, p, o, name) for triples, _ in _read_each(paths, origins, prepare) for s, p, o in triples
    )
    bulk_extend(store, quads)  # many small files are one load, a large graph a load per chunk
    return origins
