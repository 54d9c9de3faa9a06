"""Dataset statistics for the VoID description, counted once at build time.

Counting class and property partitions with SPARQL on every ``/void`` request
would cost a scan of the whole store per request; the counts only change with
a build, so the build writes them beside the store as ``statistics.json``.
Counts follow VoID: partitions are over the default graph (the union, each
triple once), and each named graph is a subset with its own triple count.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .namespaces import ID
from .union import repeated

FILE = "statistics.json"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class Statistics:
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    graphs: dict[str, int]
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)


def _graph_name(quad: ox.Quad) -> str:
    """The IRI (or blank node id) of the named graph ``quad`` is in; the dumps hold no default graph."""
    if isinstance(quad.graph_name, ox.DefaultGraph):
        raise ValueError(f"a quad in the default graph, not a named one: {quad}")
    return str(quad.graph_name.value)


def count(quads: list[ox.Quad]) -> Statistics:
    """Statistics of the named graphs in ``quads`` and of their union."""
    graphs: Counter[str] = Counter(_graph_name(q) for q in quads)
    union = {(q.subject, q.predicate, q.object) for q in quads}
    properties: Counter[str] = Counter(str(p.value) for _, p, _ in union)
    members: dict[str, set] = defaultdict(set)
    for s, p, o in union:
        if p == RDF_TYPE and isinstance(o, ox.NamedNode):
            members[o.value].add(s)
    entities = {s.value for s, _, _ in union if isinstance(s, ox.NamedNode) and s.value.startswith(ID)}
    kinds: Counter[str] = Counter(iri[len(ID) :].split("/", 1)[0] for iri in entities)
    return Statistics(
        triples=len(union),
        entities=len(entities),
        distinct_subjects=len({s for s, _, _ in union}),
        distinct_objects=len({o for _, _, o in union}),
        graphs=dict(sorted(graphs.items())),
        classes=dict(sorted((c, len(m)) for c, m in members.items())),
        properties=dict(sorted(properties.items())),
        kinds=dict(sorted(kinds.items())),
    )


def from_store(store: ox.Store, skip: set[ox.Quad] | None = None) -> Statistics:
    """The same figures as :func:`count`, counted by Oxigraph without the quads in Python.

    The union's triple and property counts are the named graphs' counts less ``skip``, the
    quads :func:`tkg.union.repeated` finds (the dumps need them too; found here if not given):
    a ``DISTINCT`` over the union would hold every triple of the store in one hash set.
    """
    if skip is None:
        skip = repeated(store)

    def rows(query: str) -> list[tuple[str, int]]:
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        return [(row[0].value if row[0] is not None else "", int(row[1].value)) for row in solutions]

    def number(query: str) -> int:
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        return int(next(iter(solutions))[0].value)

    properties = Counter(dict(rows("SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p")))
    properties.subtract(Counter(q.predicate.value for q in skip))
    graphs = dict(sorted(rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")))
    kinds = dict(
        rows(
            # the string functions once a subject, not once a quad
            "SELECT ?kind (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } } } "
            f'FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) '
            f'BIND (STRBEFORE(CONCAT(STRAFTER(STR(?s), "{ID}"), "/"), "/") AS ?kind) }} GROUP BY ?kind'
        )
    )
    return Statistics(
        triples=sum(graphs.values()) - len(skip),
        entities=sum(kinds.values()),
        distinct_subjects=number("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        distinct_objects=number("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        graphs=graphs,
        classes=dict(
            sorted(
                rows(
                    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } FILTER isIRI(?c) }"
                    " GROUP BY ?c"
                )
            )
        ),
        properties=dict(sorted(properties.items())),
        kinds=dict(sorted(kinds.items())),
    )


def write(stats: Statistics, directory: Path) -> None:
    (directory / FILE).write_text(json.dumps(asdict(stats), indent=2), encoding="utf-8")


def read(directory: Path) -> Statistics | None:
    """The statistics of a store directory, or ``None`` if it was built without them."""
    try:
        return Statistics(**json.loads((directory / FILE).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
