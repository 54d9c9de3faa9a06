"""Run SPARQL queries in child processes that are killed at their time budget.

pyoxigraph has no query timeout and a Python signal cannot interrupt it, so a
runaway query can only be stopped by stopping the process that runs it. Each
web worker keeps a small pool of children, each with the store opened
read-only; a query that outlives its budget has its child killed (its CPU
freed) and replaced, and the caller gets :class:`QueryTimeout`, never a
partial answer. Rows and bytes are capped inside the child.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing as mp
import queue
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from .store import Dataset, EmbeddedStore, Kind, QuerySyntaxError, ResultTooLarge, Substitutions


@dataclass(frozen=True)
class Limits:
    """The budget of one query."""

    timeout: float = 10.0
    max_rows: int = 100_000
    max_bytes: int = 50_000_000


@dataclass(frozen=True)
class Answer:
    kind: Kind
    media_type: str
    body: bytes


class QueryTimeout(Exception):
    """The query ran past its time budget and was stopped."""


class Busy(Exception):
    """Every query process stayed busy for longer than a query's budget."""


class QueryFailed(Exception):
    """pyoxigraph refused the query while evaluating it (e.g. an unreachable SERVICE)."""


@dataclass(frozen=True)
class Task:
    query: str
    dataset: Dataset
    media_types: dict[Kind, str]
    base_iri: str | None = None
    substitutions: Substitutions | None = None


def execute(store: EmbeddedStore, task: Task, limits: Limits) -> Answer:
    """Run one task in this process: the children's work."""
    result = store.query(task.query, task.dataset, task.base_iri, task.substitutions)
    media_type = task.media_types[result.kind]
    body = result.serialize(media_type, max_rows=limits.max_rows)
    if len(body) > limits.max_bytes:
        raise ResultTooLarge(f"the result is over {limits.max_bytes} bytes; add a LIMIT")
    return Answer(result.kind, media_type, body)


def _child(path: str, conn: Connection, limits: Limits) -> None:
    store = EmbeddedStore(Path(path))
    conn.send("ready")
    while True:
        task = conn.recv()
        if task is None:
            return
        try:
            conn.send(("ok", execute(store, task, limits)))
        except QuerySyntaxError as error:
            conn.send(("syntax", str(error)))
        except ResultTooLarge as error:
            conn.send(("too-large", str(error)))
        except Exception as error:  # raised by pyoxigraph while evaluating
            conn.send(("failed", f"{type(error).__name__}: {error}"))


class _Child:
    def __init__(self, context: mp.context.BaseContext, path: str, limits: Limits) -> None:
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(target=_child, args=(path, child_conn, limits), daemon=True)
        self.process.start()
        child_conn.close()
        if not self.conn.poll(60) or self.conn.recv() != "ready":
            self.kill()
            raise RuntimeError("a query process failed to start")

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


ERRORS = {"syntax": QuerySyntaxError, "too-large": ResultTooLarge, "failed": QueryFailed}


class Executor:
    """A pool of query processes over one store directory."""

    def __init__(self, store_path: Path, processes: int = 2, limits: Limits | None = None) -> None:
        self.path = str(store_path)
        self.limits = limits or Limits()
        self._context = mp.get_context("spawn")
        self._idle: queue.Queue[_Child] = queue.Queue()
        self._lock = threading.Lock()
        self._children: list[_Child] = []
        for _ in range(processes):
            self._add()
        atexit.register(self.close)

    def _add(self) -> None:
        child = _Child(self._context, self.path, self.limits)
        with self._lock:
            self._children.append(child)
        self._idle.put(child)

    def _replace(self, child: _Child) -> None:
        child.kill()
        with self._lock:
            self._children.remove(child)
        self._add()

    def run(
        self,
        query: str,
        dataset: Dataset,
        media_types: dict[Kind, str],
        base_iri: str | None = None,
        substitutions: Substitutions | None = None,
    ) -> Answer:
        """Answer a query within the time budget, or raise; ``substitutions`` bind variables to terms."""
        try:
            child = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            raise Busy("all query processes are busy; try again shortly") from None
        try:
            child.conn.send(Task(query, dataset, media_types, base_iri, dict(substitutions or {})))
            reply = child.conn.recv() if child.conn.poll(self.limits.timeout) else None
        except (EOFError, OSError):
            self._replace(child)
            raise QueryFailed("the query process died") from None
        if reply is None:
            self._replace(child)
            raise QueryTimeout(
                f"the query ran past its time budget of {self.limits.timeout:g} s and was stopped"
            )
        self._idle.put(child)
        status, value = reply
        if status == "ok":
            return value
        raise ERRORS[status](value)

    def pids(self) -> list[int]:
        """The process ids of the query processes (for monitoring and tests)."""
        with self._lock:
            return [c.process.pid for c in self._children if c.process.pid is not None]

    def close(self) -> None:
        with self._lock:
            children, self._children = self._children, []
        for child in children:
            with contextlib.suppress(OSError):
                child.conn.send(None)
            child.kill()
