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
import os
import threading
import time
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
    """An elastic pool of query processes over one store directory.

    ``warm`` idle processes are kept ready; under load the pool grows to
    ``most`` processes and shrinks back when the burst is over. A query still
    running after ``slow_after`` seconds has its process lowered to the least
    CPU priority, so that a flood of heavy queries cannot starve the light
    ones; such a process is replaced by a fresh one once its query ends.
    """

    def __init__(
        self,
        store_path: Path,
        warm: int = 2,
        most: int = 16,
        limits: Limits | None = None,
        slow_after: float = 0.25,
    ) -> None:
        self.path = str(store_path)
        self.limits = limits or Limits()
        self.warm, self.most, self.slow_after = warm, max(most, warm, 1), slow_after
        # A fork server that has already imported pyoxigraph starts processes in
        # milliseconds, so a burst does not wait on interpreter start-ups.
        self._context = mp.get_context("forkserver")
        self._context.set_forkserver_preload(["tkg.executor"])
        self._cond = threading.Condition()
        self._idle: list[_Child] = []
        self._all: set[_Child] = set()
        self._count = 0  # processes alive or being started
        self._starting = 0
        for _ in range(warm):
            child = self._start()
            with self._cond:
                self._count += 1
                self._idle.append(child)
        atexit.register(self.close)

    def _start(self) -> _Child:
        child = _Child(self._context, self.path, self.limits)
        with self._cond:
            self._all.add(child)
        return child

    def _acquire(self) -> _Child:
        deadline = time.monotonic() + self.limits.timeout
        with self._cond:
            while not self._idle and self._count >= self.most:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Busy("all query processes are busy; try again shortly")
                self._cond.wait(remaining)
            child = self._idle.pop() if self._idle else None
            if child is None:
                self._count += 1
        if child is None:
            try:
                child = self._start()
            except Exception:
                with self._cond:
                    self._count -= 1
                    self._cond.notify()
                raise
        self._top_up()
        return child

    def _release(self, child: _Child, reusable: bool) -> None:
        with self._cond:
            if reusable and len(self._idle) < self.warm:
                self._idle.append(child)
                self._cond.notify()
                return
            self._count -= 1
            self._all.discard(child)
            self._cond.notify()
        child.kill()
        self._top_up()

    def _top_up(self) -> None:
        """Start processes in the background until ``warm`` are idle (or starting)."""
        with self._cond:
            need = min(self.warm - len(self._idle) - self._starting, self.most - self._count)
            if need <= 0:
                return
            self._count += need
            self._starting += need
        for _ in range(need):
            threading.Thread(target=self._start_idle, daemon=True).start()

    def _start_idle(self) -> None:
        try:
            child = self._start()
        except Exception:
            with self._cond:
                self._count -= 1
                self._starting -= 1
                self._cond.notify()
            return
        with self._cond:
            self._starting -= 1
            self._idle.append(child)
            self._cond.notify()

    def run(
        self,
        query: str,
        dataset: Dataset,
        media_types: dict[Kind, str],
        base_iri: str | None = None,
        substitutions: Substitutions | None = None,
    ) -> Answer:
        """Answer a query within the time budget, or raise; ``substitutions`` bind variables to terms."""
        child = self._acquire()
        demoted = False
        try:
            child.conn.send(Task(query, dataset, media_types, base_iri, dict(substitutions or {})))
            finished = child.conn.poll(min(self.slow_after, self.limits.timeout))
            if not finished:
                demoted = _lower_priority(child.process.pid)
                finished = child.conn.poll(max(self.limits.timeout - self.slow_after, 0))
            reply = child.conn.recv() if finished else None
        except (EOFError, OSError):
            self._release(child, reusable=False)
            raise QueryFailed("the query process died") from None
        self._release(child, reusable=reply is not None and not demoted)
        if reply is None:
            raise QueryTimeout(
                f"the query ran past its time budget of {self.limits.timeout:g} s and was stopped"
            )
        status, value = reply
        if status == "ok":
            return value
        raise ERRORS[status](value)

    def pids(self) -> list[int]:
        """The process ids of the query processes (for monitoring and tests)."""
        with self._cond:
            return sorted(c.process.pid for c in self._all if c.process.pid is not None)

    def close(self) -> None:
        with self._cond:
            children, self._all, self._idle = list(self._all), set(), []
        for child in children:
            with contextlib.suppress(OSError):
                child.conn.send(None)
            child.kill()


def _lower_priority(pid: int | None) -> bool:
    """Give a slow query's process the least CPU priority; True if done."""
    if pid is None:
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 19)
    except OSError:
        return False
    return True
