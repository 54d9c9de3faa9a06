"""THE read path: every query the service runs goes through :class:`Reader`.

The SPARQL endpoint, the canned queries (pages and API), resource pages and
documents, lineage, pictures, search and suggest all read the graph here, so
all of them get the same time budget, row and byte caps (the query runs in a
killable process of :class:`~tkg.executor.Executor`) and the same typed
answer: :class:`~tkg.store.Rows` of pyoxigraph terms, a
:class:`~tkg.store.Boolean` or a :class:`~tkg.store.Graph`; the endpoint and
the API get serialised bytes instead (:meth:`Reader.answer`). A query that
cannot be answered raises a :class:`~tkg.store.QueryError`, which carries its
HTTP status.

The app's own queries are ``.rq`` files in ``tkg/sparql/``, without PREFIX
lines: the prefixes of :data:`tkg.namespaces.PREFIXES` are declared by
pyoxigraph (``Store.query(..., prefixes=...)``). Parameters, the app's and the
canned queries', are bound by :func:`bind`: a ``VALUES`` block written from
pyoxigraph terms at the top of the ``WHERE``, where the optimiser sees it
(ancestors of the CRFI: 3.4 ms, against 269 ms with ``substitutions=``, which
pyoxigraph applies after the whole pattern). User text is never pasted into a
query: a term's ``str`` is its N-Triples form, escaped by pyoxigraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from .budget import Budget
from .executor import Answer, Task
from .sparql_text import blank, rebase_query
from .store import (
    Boolean,
    Busy,
    Dataset,
    Graph,
    Kind,
    QueryError,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    Reply,
    ResultTooLarge,
    Rows,
    Term,
)

__all__ = [
    "Boolean",
    "Busy",
    "Graph",
    "QueryError",
    "QueryFailed",
    "QuerySyntaxError",
    "QueryTimeout",
    "Reader",
    "Reply",
    "ResultTooLarge",
    "Rows",
    "bind",
    "text",
]

SPARQL_DIR = Path(__file__).resolve().parent / "sparql"
_WHERE = re.compile(r"(?<![?$\w:])WHERE\s*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: What a parameter may be bound to: one term, or several (one row each).
Binding = ox.NamedNode | ox.Literal | Iterable[ox.NamedNode | ox.Literal]


class Runner(Protocol):
    """Something that answers a task: the pool of query processes, or this process (CLI, unit tests)."""

    def run(self, task: Task) -> Answer | Reply: ...


@runtime_checkable
class AsyncRunner(Runner, Protocol):
    """A runner that an event loop can await (the pool of query processes)."""

    async def run_async(self, task: Task) -> Answer | Reply: ...


@cache
def text(name: str) -> str:
    """The text of the app's own query ``tkg/sparql/<name>.rq``, its IRIs under this deployment's base."""
    return rebase_query((SPARQL_DIR / f"{name}.rq").read_text(encoding="utf-8"))


def values_block(bound: Mapping[str, Binding]) -> str:
    """``VALUES`` binding each variable to its term(s), the terms written by pyoxigraph.

    Single terms make one row; a variable bound to several terms gets a block of
    its own (one row per term).

    >>> values_block({"org": ox.NamedNode("https://w3id.org/trotskyism/id/org/crfi")})
    'VALUES (?org) { (<https://w3id.org/trotskyism/id/org/crfi>) }'
    >>> hostile = ox.Literal('x" } DROP ALL #')
    >>> print(values_block({"q": hostile, "x": [ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b")]}))
    VALUES (?q) { ("x\\" } DROP ALL #") } VALUES ?x { <http://e/a> <http://e/b> }
    """
    single: dict[str, ox.NamedNode | ox.Literal] = {}
    blocks = []
    for name, value in bound.items():
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"{name!r} is not a variable name")
        terms = [value] if isinstance(value, ox.NamedNode | ox.Literal) else list(value)
        for term in terms:
            if not isinstance(term, ox.NamedNode | ox.Literal):
                raise TypeError(f"?{name} can only be bound to IRIs and literals, not {term!r}")
        if isinstance(value, ox.NamedNode | ox.Literal):
            single[name] = value
        else:
            blocks.append(f"VALUES ?{name} {{ {' '.join(str(t) for t in terms)} }}")
    if single:
        names = " ".join(f"?{name}" for name in single)
        row = " ".join(str(term) for term in single.values())
        blocks.insert(0, f"VALUES ({names}) {{ ({row}) }}")
    return " ".join(blocks)


def bind(query: str, bound: Mapping[str, Binding]) -> str:
    """``query`` with a ``VALUES`` block for ``bound`` at the top of its ``WHERE``.

    There the optimiser starts from the bound terms; and since the block is part
    of the query's own group, the variables are bound for the whole group,
    ``FILTER (EXISTS …)`` included, as a substitution would bind them.

    >>> print(bind("SELECT ?x WHERE { ?x ?p ?o }", {"p": ox.NamedNode("http://e/p")}))
    SELECT ?x WHERE {
      VALUES (?p) { (<http://e/p>) }
     ?x ?p ?o }
    """
    if not bound:
        return query
    blanked = blank(query)
    match = _WHERE.search(blanked)
    brace = match.end() - 1 if match else blanked.find("{")
    if brace < 0:
        raise ValueError("the query has no WHERE clause to bind parameters in")
    return f"{query[: brace + 1]}\n  {values_block(bound)}\n{query[brace + 1 :]}"


_METERED: ContextVar[bool] = ContextVar("tkg_metered", default=False)
"""Whether the running request's work is being charged already (by :meth:`Reader.metered`)."""


class Reader:
    """The one way the service reads the graph.

    With a :class:`~tkg.budget.Budget`, every query is charged to the client ``client()`` names
    (None: not metered), and refused with 429 once that client's share is spent.
    """

    def __init__(
        self,
        runner: Runner,
        budget: Budget | None = None,
        client: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.runner = runner
        self.budget = budget
        self.client = client
        # checked once: a runtime protocol check costs ~40 µs, more than the rest of a request's Python
        self._run_async = runner.run_async if isinstance(runner, AsyncRunner) else None

    @property
    def asynchronous(self) -> bool:
        """Whether :meth:`answer_async` can be awaited (the runner is the pool of query processes)."""
        return self._run_async is not None

    @contextmanager
    def metered(self) -> Iterator[None]:
        """Charge the block's time to the client's budget, as a query's: an index search, a batch.

        Queries run inside the block are not charged again (the block's time holds theirs), so a view
        that searches and queries spends its time once. Raises :class:`~tkg.budget.OverBudget` first if
        the client's share is spent.
        """
        if self.budget is None or _METERED.get():
            yield
            return
        token = _METERED.set(True)
        try:
            with self.budget.spend(self.client()):
                yield
        finally:
            _METERED.reset(token)

    def _run(self, task: Task) -> Answer | Reply:
        """The runner's answer to ``task``, charged to the client's budget."""
        with self.metered():
            return self.runner.run(task)

    def run(
        self,
        query: str,
        bound: Mapping[str, Binding] | None = None,
        dataset: Dataset | None = None,
        own: bool = False,
    ) -> Reply:
        """Any query's typed answer; ``own``: the app's prefixes are declared for it."""
        reply = self._run(Task(bind(query, bound or {}), dataset or Dataset(), prefixes=own))
        if isinstance(reply, Answer):  # pragma: no cover - a runner that ignored the task
            raise QueryFailed("the query process answered bytes where rows were asked for")
        return reply

    def select(self, name: str, **bound: Binding) -> Rows:
        """The rows of the app's own SELECT query ``tkg/sparql/<name>.rq``."""
        return _rows(self.run(text(name), bound, own=True))

    def ask(self, name: str, **bound: Binding) -> bool:
        """The answer of the app's own ASK query ``tkg/sparql/<name>.rq``."""
        reply = self.run(text(name), bound, own=True)
        if not isinstance(reply, Boolean):
            raise QueryFailed(f"{name} is not an ASK query")
        return reply.value

    def rows(self, query: str, bound: Mapping[str, Binding] | None = None) -> Rows:
        """The rows of a SELECT query's text (a canned query), with parameters bound."""
        return _rows(self.run(query, bound))

    def answer(
        self,
        query: str,
        media_types: Mapping[Kind, str],
        bound: Mapping[str, Binding] | None = None,
        dataset: Dataset | None = None,
        base_iri: str | None = None,
    ) -> Answer:
        """A query's answer serialised in the media type negotiated for its kind of result."""
        task = Task(bind(query, bound or {}), dataset or Dataset(), dict(media_types), base_iri)
        answer = self._run(task)
        if not isinstance(answer, Answer):  # pragma: no cover - a runner that ignored the task
            raise QueryFailed("the query process answered rows where bytes were asked for")
        return answer

    async def answer_async(
        self,
        query: str,
        media_types: Mapping[Kind, str],
        dataset: Dataset | None = None,
        base_iri: str | None = None,
        client: str | None = None,
    ) -> Answer:
        """:meth:`answer` awaited on an event loop, charged to ``client`` (there is no request context
        to ask): the same budget, time budget and errors."""
        run = self._run_async
        if run is None:
            raise TypeError(f"{type(self.runner).__name__} cannot be awaited")
        task = Task(query, dataset or Dataset(), dict(media_types), base_iri)
        if self.budget is None or not self.budget.meters(client):  # the machine itself, a proxy: no meter
            answer = await run(task)
        else:
            with self.budget.spend(client):
                answer = await run(task)
        if not isinstance(answer, Answer):  # pragma: no cover - a runner that ignored the task
            raise QueryFailed("the query process answered rows where bytes were asked for")
        return answer


def _rows(reply: Reply) -> Rows:
    if not isinstance(reply, Rows):
        raise QueryFailed("the query is not a SELECT query")
    return reply


def one(rows: Rows, name: str) -> Term | None:
    """The value of ``name`` in the first row, if any."""
    return rows.rows[0].get(name) if rows.rows else None


def value(row: Mapping[str, Term], name: str) -> str | None:
    """The lexical value of a cell (an IRI's IRI, a literal's text), ``None`` if unbound."""
    term = row.get(name)
    return None if term is None or isinstance(term, ox.Triple) else term.value
