"""``tkg build``: parse, validate, reason, write the store, swap it in.

Each stage is timed and reported as it ends. Every stage works in a new store
directory: the Turtle is parsed straight into it (no rdflib graph of the data),
validated and linted there, and the reasoner's conclusions written beside it.
``current`` only moves once the new store is complete, so a failure at any
stage (which removes the new directory) or a kill (which leaves it without a
manifest) leaves the last good store serving.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from . import __version__, failpoints, statistics
from .config import Settings
from .dumps import write_dumps
from .evidence import Articles, label_store, name_blank_nodes
from .graphview import StoredTriples, StoreGraph, Terms
from .lint import Finding, lint_stage
from .namespaces import BASE, CANONICAL, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from .progress import bar
from .reads import bind, text
from .reasoner import infer_into
from .storage import Manifest, finish, new_directory, swap_current
from .turtle import Origins, parse_files, parse_into, rebase_shapes, turtle_files
from .union import repeated
from .validate import Problem, validate_store


class BuildError(Exception):
    """The inputs cannot be published; the previous store is untouched."""


class ValidationFailed(BuildError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} validation problem(s):\n{lines}")


class LintFailed(BuildError):
    """The history the data tells breaks a lint rule (:mod:`tkg.lint`)."""

    def __init__(self, errors: list[Finding]) -> None:
        self.errors = errors
        lines = "\n".join(f"  {f}" for f in errors)
        super().__init__(f"{len(errors)} lint error(s):\n{lines}")


Report = Callable[[str], None]


@dataclass
class Stage:
    """What a running stage has done, for its closing line: ``counted(78853, "triples")``."""

    amount: int | None = None
    unit: str = ""

    def counted(self, amount: int, unit: str) -> None:
        self.amount, self.unit = amount, unit


@dataclass
class Timings:
    """Seconds per stage, in order; each stage's closing line gives its count and rate."""

    stages: dict[str, float] = field(default_factory=dict)
    report: Report = print

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        self.report(f"[{name}] ...")
        failpoints.reached(f"{name}:start")
        start = time.perf_counter()
        stage = Stage()
        yield stage
        seconds = time.perf_counter() - start
        self.stages[name] = round(seconds, 3)
        failpoints.reached(f"{name}:end")
        line = f"[{name}] done in {self.stages[name]:.2f} s"
        if stage.amount is not None:
            rate = stage.amount / max(seconds, 1e-6)
            line += f": {stage.amount:,} {stage.unit}, {rate:,.0f} {stage.unit}/s"
        self.report(line)


@dataclass(frozen=True)
class Inputs:
    """The parsed, skolemised inputs of a build: the ontology and data graphs in ``store``.

    Nothing holds the data as Python objects: each stage reads what it needs from
    the store (:mod:`tkg.graphview`) and the reasoner writes its conclusions back.
    """

    store: ox.Store
    shapes: Graph
    origins: Origins
    version: str
    terms: Terms = field(default_factory=Terms)

    @property
    def ontology(self) -> Graph:
        """The ontology as an rdflib graph (hundreds of triples: owlrl and the lint read it)."""
        graph = Graph()
        graph += StoredTriples(self.store, GRAPH_ONTOLOGY, self.terms)
        return graph

    @property
    def data(self) -> StoredTriples:
        """The asserted triples, streamed from the store as rdflib terms."""
        return StoredTriples(self.store, GRAPH_ASSERTED, self.terms)

    def view(self) -> StoreGraph:
        """The asserted graph with rdflib's lookups, each predicate read once when first asked."""
        return StoreGraph(self.store, GRAPH_ASSERTED, self.terms)

    def count(self, graph_iri: str) -> int:
        return count(self.store, graph_iri)


def count(store: ox.Store, graph_iri: str) -> int:
    """The triples of one named graph of ``store``, counted by Oxigraph."""
    solutions = store.query(bind(text("graph-size"), {"graph": ox.NamedNode(graph_iri)}))
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))[0].value)  # type: ignore[union-attr]


def input_files(settings: Settings) -> list[Path]:
    return [
        *turtle_files(settings.ontology_dir),
        *turtle_files(settings.data_dir),
        *turtle_files(settings.shapes_dir),
    ]


def dataset_version(settings: Settings, articles: Articles) -> str:
    """A hash of everything the store is made from: inputs, articles, the code's version and the base.

    The base is hashed only when it is not the canonical one, so the default build's version is
    what it was before ``TKG_BASE_IRI`` existed.
    """
    h = hashlib.sha256(__version__.encode())
    if BASE != CANONICAL:
        h.update(f"base {BASE}\n".encode())
    for path in input_files(settings):
        h.update(str(path.relative_to(path.parent.parent)).encode())
        h.update(path.read_bytes())
    h.update(articles.digest().encode())
    return h.hexdigest()[:16]


def load_inputs(
    settings: Settings, timings: Timings, store: ox.Store | None = None, version: str | None = None
) -> tuple[Inputs, Articles]:
    """Parse the ontology and the data into ``store`` (a new in-memory one by default).

    ``version`` is the dataset version when the caller has it already (:func:`build` names its
    directory with it): hashing every input and article again costs a read of each.
    """
    articles = Articles(settings.seeds_dir)
    store = ox.Store() if store is None else store
    with timings.stage("parse") as stage:
        parse_into(store, turtle_files(settings.ontology_dir), GRAPH_ONTOLOGY)
        origins = parse_into(
            store,
            bar(turtle_files(settings.data_dir), "parse", "files"),
            GRAPH_ASSERTED,
            lambda t: name_blank_nodes(t)[0],
        )
        label_store(store, GRAPH_ASSERTED)
        shapes = rebase_shapes(parse_files(turtle_files(settings.shapes_dir))[0])
        ontology, data = count(store, GRAPH_ONTOLOGY), count(store, GRAPH_ASSERTED)
        timings.report(f"  ontology {ontology} triples, data {data} triples")
        stage.counted(ontology + data + len(shapes), "triples")
    if version is None:
        version = dataset_version(settings, articles)
    return Inputs(store, shapes, origins, version), articles


def check(
    settings: Settings, report: Report = print, store: ox.Store | None = None, version: str | None = None
) -> tuple[Inputs, Timings]:
    """Parse and validate (into ``store``, or a new in-memory one); raise :class:`ValidationFailed`
    listing every problem, or :class:`LintFailed` with the lint's errors."""
    timings = Timings(report=report)
    inputs, articles = load_inputs(settings, timings, store, version)
    with timings.stage("validate") as stage:
        stage.counted(inputs.count(GRAPH_ASSERTED), "triples")
        problems = validate_store(
            inputs.store, GRAPH_ASSERTED, GRAPH_ONTOLOGY, inputs.shapes, articles, inputs.origins
        )
    if problems:
        raise ValidationFailed(problems)
    errors = lint_stage(inputs.view(), inputs.ontology, turtle_files(settings.data_dir), articles, timings)
    if errors:
        raise LintFailed(errors)
    return inputs, timings


def publisher(timings: Timings) -> Callable[[ox.Store, Path], None]:
    """The stage that writes the dumps and VoID statistics into the new store directory."""

    def publish(store: ox.Store, directory: Path) -> None:
        with timings.stage("dumps") as stage, ThreadPoolExecutor(max_workers=1) as counting:
            total = len(store)
            # Oxigraph finds the repeated quads (the union's dumps and counts leave them out) and
            # counts the statistics while the dumps are written (by two processes at scale).
            skip = counting.submit(repeated, store)
            counted = counting.submit(lambda: statistics.from_store(store, skip.result()))
            for dump in write_dumps(store, directory, skip.result):
                timings.report(f"  {dump.name}: {dump.bytes} bytes, {dump.statements} statements")
            statistics.write(counted.result(), directory)
            stage.counted(total, "quads")

    return publish


def build(settings: Settings, report: Report = print, reasoner: str = "fast") -> tuple[Path, Manifest]:
    """Run every stage and make the new store current; return its directory and manifest.

    Every stage works in the new store's directory, made first: the inputs are
    parsed into it, checked there, and the reasoner's conclusions written beside
    them. A build that fails removes the directory; one that is killed leaves it
    without a manifest, which nothing serves. ``reasoner`` is ``fast`` (owlrl for
    the schema, the chainer of :mod:`tkg.rules` for the instances; the same
    conclusions) or ``owlrl`` (owlrl for everything).
    """
    settings.check_base()
    if not settings.seeds_dir.is_dir():
        raise BuildError(f"article directory {settings.seeds_dir} not found (set TKG_SEEDS_DIR)")
    version = dataset_version(settings, Articles(settings.seeds_dir))
    directory = new_directory(settings.build_dir, version)
    try:
        _build_into(ox.Store(str(directory / "oxigraph")), directory, settings, report, reasoner, version)
    except BaseException as error:
        # The store closes once nothing refers to it, and the failed stages' frames do: clear them
        # first, or RocksDB writes into the directory as it is being removed.
        traceback.clear_frames(error.__traceback__)
        gc.collect()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    with Timings(report=report).stage("swap"):
        swap_current(settings.build_dir, directory)
    manifest = Manifest.read(directory)
    report(f"built dataset version {manifest.version} in {directory}")
    for iri, triples in manifest.graphs.items():
        report(f"  {triples:>7} triples  <{iri}>")
    return directory, manifest


def _build_into(
    store: ox.Store, directory: Path, settings: Settings, report: Report, reasoner: str, version: str
) -> None:
    """Parse, check, reason and finish the store in ``directory`` (the store is closed on return)."""
    inputs, timings = check(settings, report, store, version)
    with timings.stage("reason") as stage:
        # the conclusions are streamed into the store as they are read out of the reasoner
        inferred = infer_into(store, GRAPH_INFERRED, inputs.ontology, inputs.data, reasoner)
        report(f"  {inferred} inferred triples")
        stage.counted(inferred, "inferred triples")
    with timings.stage("load") as stage:
        counts = {iri: count(store, iri) for iri in (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED)}
        version = inputs.version
        del inputs
        finish(store, directory, version, counts, timings.stages, publish=publisher(timings))
        stage.counted(sum(counts.values()), "triples")
