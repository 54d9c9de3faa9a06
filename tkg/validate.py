"""Validation of the asserted graph: SHACL shapes, verbatim quotes, no hand-written inferences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import Graph, Namespace
from rdflib.namespace import RDF
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from . import shacl_core, shacl_sparql
from .evidence import Articles, check_quotes
from .graphview import Readable, StoreGraph
from .namespaces import TKG
from .storage import to_rdflib
from .turtle import Origins

SH = Namespace("http://www.w3.org/ns/shacl#")

#: Properties the reasoner owns: written by hand they would bypass the events.
INFERRED_ONLY = (
    TKG.derivedFrom,
    TKG.descendsFrom,
    TKG.hasDerivative,
    TKG.ancestorOf,
    TKG.heldPosition,
    TKG.positionHeldBy,
    TKG.lineageStep,
)


@dataclass(frozen=True)
class Problem:
    """One reason the data cannot be published, located as precisely as we can."""

    kind: str
    focus: str
    message: str
    files: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" [{', '.join(self.files)}]" if self.files else ""
        return f"{self.kind}: {self.focus}{where}: {self.message}"


def _files(origins: Origins, *nodes: str) -> tuple[str, ...]:
    found: set[str] = set()
    for node in nodes:
        found |= origins.get(node, set())
    return tuple(sorted(found))


def shacl_problems(
    data: Graph, ontology: Graph, shapes: Graph, origins: Origins, sparql: str = "oxigraph"
) -> list[Problem]:
    """Run the shapes over ontology plus data (class hierarchy visible, no inference).

    With ``sparql="oxigraph"`` every shape is first checked as SPARQL in an
    Oxigraph store (:mod:`tkg.shacl_core` for the core constraints,
    :mod:`tkg.shacl_sparql` for the SHACL-SPARQL ones); pySHACL runs the core
    constraints only when Oxigraph finds a violation or cannot translate a
    shape, so a valid graph is checked in seconds and a broken one gets
    pySHACL's own messages. ``sparql="pyshacl"`` is the reference: pySHACL for
    everything.
    """
    if sparql == "oxigraph":
        return _in_oxigraph(shacl_sparql.load([data, ontology]), shapes, lambda: data + ontology, origins)
    found = _pyshacl(data + ontology, shapes)
    return [found] if isinstance(found, Problem) else _problems(found, origins)


def store_shacl_problems(
    store: ox.Store, data_iri: str, ontology_iri: str, shapes: Graph, origins: Origins
) -> list[Problem]:
    """:func:`shacl_problems` over two named graphs of the build's store, queried where they are.

    Each query reads the union of the two graphs as its default graph. An in-memory copy of them
    (made with a Python quad per triple) no longer paid: at 100x on a quiet machine, validation
    took 32.4 / 31.0 s with the copy and 29.6 / 30.7 s without (alternated), and the copy held
    ~180 MB (~1.8 GB at 1000x). A triple both graphs hold may be counted twice by a count
    constraint; pySHACL, which decides every broken core shape over an rdflib copy of the two
    graphs (a set: once), then clears it, so a shared triple costs time, never a false verdict.
    Only a broken build pays for that copy.
    """
    names: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        ox.NamedNode(data_iri),
        ox.NamedNode(ontology_iri),
    ]

    def graph() -> Graph:
        found = Graph()
        for name in names:
            found.addN(
                (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), found)  # type: ignore[arg-type]
                for q in store.quads_for_pattern(None, None, None, name)
            )
        return found

    return _in_oxigraph(store, shapes, graph, origins, names)


def _in_oxigraph(
    store: ox.Store,
    shapes: Graph,
    copy: Callable[[], Graph],
    origins: Origins,
    graphs: shacl_sparql.Graphs = None,
) -> list[Problem]:
    """The shapes decided in Oxigraph over the default graph of ``store`` (or the union of
    ``graphs``); pySHACL over ``copy()`` to explain a broken core shape."""
    core, constraints = shacl_sparql.split(shapes)
    violations = shacl_sparql.evaluate(store, constraints, graphs)
    try:
        conforming = shacl_core.conforms(store, core, graphs)
    except shacl_core.Untranslatable:
        conforming = False
    if not conforming:
        found = _pyshacl(copy(), core)
        if isinstance(found, Problem):
            return [found]
        violations += found
    return _problems(violations, origins)


def _problems(violations: list[shacl_sparql.Violation], origins: Origins) -> list[Problem]:
    problems = []
    for v in violations:
        message = v.message or "violates a shape"
        detail = message if v.path is None else f"{_short(v.path)}: {message}"
        if v.value is not None and str(v.value) not in detail:
            detail += f" (value: {v.value})"
        problems.append(Problem("shape", str(v.focus), detail, _files(origins, str(v.focus))))
    return sorted(problems, key=lambda p: (p.files, p.focus, p.message))


class _ParsedOnce(Graph):
    """A graph that parses each SPARQL text once, however often it is asked.

    pySHACL sends a SHACL-SPARQL constraint's text once per focus node (the node as a binding), and
    rdflib would parse and translate it every time: on the real graph that parsing was four fifths of
    pySHACL's run. The parsed query is rdflib's own prepared form (what ``prepareQuery`` gives, for
    the same text, prefixes and base), evaluated with each call's bindings as before.
    """

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph.store, graph.identifier, graph.namespace_manager)
        self._parsed: dict[tuple[str, tuple[tuple[str, Any], ...], str | None], Query] = {}

    def query(
        self,
        query_object: str | Query,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,
        initBindings: Any = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and processor == "sparql":
            namespaces = dict(initNs or self.namespaces())
            key = (query_object, tuple(sorted(namespaces.items())), kwargs.get("base"))
            if key not in self._parsed:
                self._parsed[key] = translateQuery(parseQuery(query_object), key[2], namespaces)
            query_object = self._parsed[key]
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def _pyshacl(graph: Graph, shapes: Graph) -> list[shacl_sparql.Violation] | Problem:
    """pySHACL's results over ``graph``, or the problem with the shapes themselves.

    ``graph`` is the caller's own union of data and ontology, made for this call, so pySHACL works on
    it in place (in advanced mode it would otherwise copy it, and the copy would parse every query
    again; the shapes have no ``sh:rule`` that could add to it).
    """
    conforms, report, _text = shacl_validate(
        _ParsedOnce(graph),
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,
    )
    violations: list[shacl_sparql.Violation] = []
    if conforms:
        return violations
    if not isinstance(report, Graph):  # the shapes themselves are broken
        return Problem("shapes", "shapes/", str(getattr(report, "message", report)))
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        assert focus is not None  # pySHACL gives every sh:ValidationResult its sh:focusNode
        violations.append(
            shacl_sparql.Violation(
                focus,
                report.value(result, SH.resultPath),
                report.value(result, SH.value),
                str(report.value(result, SH.resultMessage) or ""),
            )
        )
    return violations


def _short(term: Node) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def hand_written_inferences(data: Readable, origins: Origins) -> list[Problem]:
    """Lineage and position shortcuts must come from the reasoner, not from curators."""
    problems = []
    for prop in INFERRED_ONLY:
        for s, o in data.subject_objects(prop):
            problems.append(
                Problem(
                    "inference",
                    str(s),
                    f"{_short(prop)} {o} is written by hand; it is inferred from events and stances",
                    _files(origins, str(s)),
                )
            )
    return problems


def validate_store(
    store: ox.Store,
    data_iri: str,
    ontology_iri: str,
    shapes: Graph,
    articles: Articles,
    origins: Origins,
) -> list[Problem]:
    """Every problem with the asserted data in the build's store; an empty list means it may be
    published. No rdflib copy of the graph is made unless a core shape breaks."""
    view = StoreGraph(store, data_iri)
    problems = _checked(view, articles, origins)
    del view
    return problems + store_shacl_problems(store, data_iri, ontology_iri, shapes, origins)


def _checked(data: Readable, articles: Articles, origins: Origins) -> list[Problem]:
    """The problems that are not shapes: hand-written inferences, quotes not in their articles."""
    problems = hand_written_inferences(data, origins)
    for quote in check_quotes(data, articles):
        problems.append(Problem("quote", quote.evidence, str(quote), _files(origins, *quote.claims)))
    return problems
