"""``tkg build``: parse, validate, reason, write the store, swap it in.

Each stage is timed and reported as it ends. Nothing is written until the data
has parsed and validated, and ``current`` only moves once the new store is
complete, so a failure at any stage leaves the last good store serving.
"""

from __future__ import annotations

import hashlib
import time
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
from .evidence import Articles, label, name_blank_nodes
from .lint import Finding, lint_stage
from .namespaces import BASE, CANONICAL, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from .progress import bar
from .reasoner import infer
from .storage import Manifest, Triples, swap_current, write_store
from .turtle import parse_files, rebase_shapes, turtle_files
from .validate import Problem, validate


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
    """The parsed, skolemised inputs of a build."""

    ontology: Graph
    data: Graph
    shapes: Graph
    origins: dict[str, set[str]]
    version: str


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


def load_inputs(settings: Settings, timings: Timings) -> tuple[Inputs, Articles]:
    articles = Articles(settings.seeds_dir)
    with timings.stage("parse") as stage:
        ontology, _ = parse_files(turtle_files(settings.ontology_dir))
        data, origins = parse_files(
            bar(turtle_files(settings.data_dir), "parse", "files"), lambda t: name_blank_nodes(t)[0]
        )
        shapes = rebase_shapes(parse_files(turtle_files(settings.shapes_dir))[0])
        label(data)
        timings.report(f"  ontology {len(ontology)} triples, data {len(data)} triples")
        stage.counted(len(ontology) + len(data) + len(shapes), "triples")
    version = dataset_version(settings, articles)
    return Inputs(ontology, data, shapes, origins, version), articles


def check(settings: Settings, report: Report = print) -> tuple[Inputs, Timings]:
    """Parse and validate; raise :class:`ValidationFailed` listing every problem."""
    timings = Timings(report=report)
    inputs, articles = load_inputs(settings, timings)
    with timings.stage("validate") as stage:
        stage.counted(len(inputs.data), "triples")
        problems = validate(inputs.data, inputs.ontology, inputs.shapes, articles, inputs.origins)
    if problems:
        raise ValidationFailed(problems)
    errors = lint_stage(inputs.data, inputs.ontology, turtle_files(settings.data_dir), articles, timings)
    if errors:
        raise LintFailed(errors)
    return inputs, timings


def publisher(timings: Timings) -> Callable[[ox.Store, Path], None]:
    """The stage that writes the dumps and VoID statistics into the new store directory."""

    def publish(store: ox.Store, directory: Path) -> None:
        with timings.stage("dumps") as stage, ThreadPoolExecutor(max_workers=1) as counting:
            total = len(store)
            # Oxigraph counts the statistics while the dumps are written (by two processes at scale).
            counted = counting.submit(statistics.from_store, store)
            for dump in write_dumps(store, directory):
                timings.report(f"  {dump.name}: {dump.bytes} bytes, {dump.statements} statements")
            statistics.write(counted.result(), directory)
            stage.counted(total, "quads")

    return publish


def build(settings: Settings, report: Report = print, reasoner: str = "fast") -> tuple[Path, Manifest]:
    """Run every stage and make the new store current; return its directory and manifest.

    ``reasoner`` is ``fast`` (owlrl for the schema, the chainer of :mod:`tkg.rules`
    for the instances; the same conclusions) or ``owlrl`` (owlrl for everything).
    """
    settings.check_base()
    if not settings.seeds_dir.is_dir():
        raise BuildError(f"article directory {settings.seeds_dir} not found (set TKG_SEEDS_DIR)")
    inputs, timings = check(settings, report)
    with timings.stage("reason") as stage:
        inferred = infer(inputs.ontology, inputs.data, reasoner)
        report(f"  {len(inferred)} inferred triples")
        stage.counted(len(inferred), "inferred triples")
    version = inputs.version
    with timings.stage("load") as stage:
        graphs: dict[str, Triples] = {
            GRAPH_ONTOLOGY: inputs.ontology,
            GRAPH_ASSERTED: inputs.data,
            GRAPH_INFERRED: inferred,
        }
        del inputs, inferred  # write_store releases the graphs once they are in the store
        directory = write_store(
            settings.build_dir, version, graphs, timings.stages, publish=publisher(timings)
        )
        stage.counted(sum(Manifest.read(directory).graphs.values()), "triples")
    with timings.stage("swap"):
        swap_current(settings.build_dir, directory)
    manifest = Manifest.read(directory)
    report(f"built dataset version {version} in {directory}")
    for iri, count in manifest.graphs.items():
        report(f"  {count:>7} triples  <{iri}>")
    return directory, manifest
