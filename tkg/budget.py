"""A fair share of query time for each client, as public endpoints promise (Wikidata: 60 s per 60 s).

Each client has a bucket that fills with the seconds its queries take and
drains at ``seconds / window`` per second: a client may spend ``seconds`` of
query time at once, then as much as drains. While its bucket is full, or while
it already runs ``concurrent`` queries, a new query is refused with
:class:`OverBudget` (429, with the seconds until it may try again), and the
query processes stay free for everyone else. A runaway query is charged its
whole budget, so a client that floods them is stopped after a few.

The buckets' levels live in this process (:class:`LocalLevels`) or, under
``tkg serve``, in a file that every web worker maps (:class:`SharedLevels`), so
that a client has one share however many workers its connections reach. The
count of running queries stays per worker: a worker that dies mid-query must
not leave a count behind. :class:`tkg.reads.Reader` consults the budget for
every query it runs; who the client is, the server says (its address, or the
one a trusted proxy forwarded).
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from .store import Busy, QueryError

#: Clients forgotten once their bucket has drained, checked every this many charges.
_SWEEP_EVERY = 1000


class OverBudget(QueryError):
    """The client has spent its share of query time (or runs too many queries at once): 429."""

    status = 429
    title = "Too many queries"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def sentence(self) -> str:
        return f"{self.title}: {self.message} Try again in {self.retry_after} s."


class Levels(Protocol):
    """Where the buckets' levels are kept: ``[level, updated]`` of a client, written back on exit."""

    def cell(self, client: str) -> AbstractContextManager[list[float]]: ...

    def peek(self, client: str) -> tuple[float, float]:
        """``(level, updated)`` of a client as last written, read without a lock."""
        ...

    def sweep(self, drained: Callable[[list[float]], bool]) -> None: ...


class LocalLevels:
    """The levels in this process's memory (one worker, the test client, the CLI)."""

    def __init__(self) -> None:
        self._cells: dict[str, list[float]] = {}

    @contextmanager
    def cell(self, client: str) -> Iterator[list[float]]:
        cell = self._cells.setdefault(client, [0.0, 0.0])
        yield cell

    def peek(self, client: str) -> tuple[float, float]:
        level, updated = self._cells.get(client) or (0.0, 0.0)
        return level, updated

    def sweep(self, drained: Callable[[list[float]], bool]) -> None:
        """Forget drained clients: memory stays bounded by recent activity."""
        for client in [c for c, cell in self._cells.items() if drained(cell)]:
            del self._cells[client]


class SharedLevels:
    """The levels in a file every worker maps: ``slots`` cells, a client's chosen by a hash of it.

    Each cell is locked across processes with an ``fcntl`` record lock while it is
    read and written (callers hold a thread lock too: record locks are per
    process). Two clients whose hashes meet share a cell, as they would share an
    address behind one NAT; with 65,536 cells that is rare.
    """

    CELL = struct.Struct("=dd")  # level, updated

    def __init__(self, path: Path, slots: int = 65_536) -> None:
        self.slots = slots
        size = slots * self.CELL.size
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)  # zeros: every bucket empty
        self._map = mmap.mmap(self._fd, size)

    @staticmethod
    def create(path: Path, slots: int = 65_536) -> None:
        """An empty file of levels (``tkg serve`` makes one before it starts its workers)."""
        with open(path, "wb") as file:
            file.truncate(slots * SharedLevels.CELL.size)

    @contextmanager
    def cell(self, client: str) -> Iterator[list[float]]:
        offset = _slot(client, self.slots) * self.CELL.size
        fcntl.lockf(self._fd, fcntl.LOCK_EX, self.CELL.size, offset)
        try:
            cell = list(self.CELL.unpack_from(self._map, offset))
            yield cell
            self.CELL.pack_into(self._map, offset, *cell)
        finally:
            fcntl.lockf(self._fd, fcntl.LOCK_UN, self.CELL.size, offset)

    def peek(self, client: str) -> tuple[float, float]:
        """The cell as last written, without the record lock: a read that meets a concurrent charge may
        see the cell before it (or half of it), so the level is off by at most that charge and its drain."""
        level, updated = self.CELL.unpack_from(self._map, _slot(client, self.slots) * self.CELL.size)
        return level, updated

    def sweep(self, drained: Callable[[list[float]], bool]) -> None:
        """Nothing to forget: the file has a fixed size."""


@lru_cache(maxsize=4096)
def _slot(client: str, slots: int) -> int:
    """The cell of ``client`` among ``slots`` (hashed once per client, not twice per query)."""
    return int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "big") % slots


class Budget:
    """Query time per client: ``seconds`` per ``window`` seconds, at most ``concurrent`` queries at once.

    >>> now = [0.0]
    >>> budget = Budget(seconds=10, window=60, concurrent=2, clock=lambda: now[0])
    >>> with budget.spend("203.0.113.7"):
    ...     now[0] += 12  # a query that ran 12 s
    >>> budget.retry_after("203.0.113.7")  # 2 s over: 12 s more at 10 s a minute
    13
    >>> budget.retry_after("198.51.100.1") is None  # another client is not affected
    True
    >>> now[0] += 13
    >>> budget.retry_after("203.0.113.7") is None
    True
    """

    def __init__(
        self,
        seconds: float,
        window: float,
        concurrent: int,
        exempt: tuple[str, ...] = (),
        clock: Callable[[], float] = time.monotonic,
        levels: Levels | None = None,
    ) -> None:
        """``clock`` must be the same in every process sharing ``levels`` (``time.monotonic`` is)."""
        if window <= 0:
            raise ValueError(f"a budget's window must be positive, not {window}")
        self.seconds = seconds
        self.rate = seconds / window  # seconds of query time a client regains per second
        self.concurrent = concurrent
        self.exempt = frozenset(exempt)
        self.clock = clock
        self.levels: Levels = levels if levels is not None else LocalLevels()
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()
        self._charges = 0

    def _drain(self, cell: list[float], now: float) -> None:
        level, updated = cell
        cell[0] = max(0.0, level - max(0.0, now - updated) * self.rate)
        cell[1] = now

    def _wait(self, level: float) -> int | None:
        if level < self.seconds:
            return None
        return max(1, math.ceil((level - self.seconds) / self.rate) + 1)

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may run a query again (None: it may now).

        Read without a lock (the check before every query): the level drained to now is computed from
        the cell as last written; only a charge writes, under the locks.
        """
        level, updated = self.levels.peek(client)
        return self._wait(max(0.0, level - max(0.0, self.clock() - updated) * self.rate))

    def meters(self, client: str | None) -> bool:
        """Whether ``client``'s queries are metered (not None, not exempt, a budget set)."""
        return client is not None and client not in self.exempt and self.seconds > 0

    @contextmanager
    def spend(self, client: str | None) -> Iterator[None]:
        """Run one query of ``client`` (None or exempt: not metered), charging the time it takes.

        Raises :class:`OverBudget` before the query starts if the client's share is spent.
        """
        if client is None or not self.meters(client):  # (None: for the type checker)
            yield
            return
        wait = self.retry_after(client)
        with self._lock:
            if wait is not None:
                raise OverBudget(
                    f"this client has used its {self.seconds:g} s of query time per "
                    f"{self.seconds / self.rate:g} s, so that other clients keep theirs.",
                    wait,
                )
            running = self._running.get(client, 0)
            if running >= self.concurrent:
                raise OverBudget(
                    f"this client already runs {running} queries at once, the most one client may.", 1
                )
            self._running[client] = running + 1
        started = self.clock()
        ran = True
        try:
            yield
        except Busy:  # no query process was free: nothing ran, so the wait costs the client nothing
            ran = False
            raise
        finally:
            with self._lock:
                with self.levels.cell(client) as cell:
                    now = self.clock()
                    self._drain(cell, now)
                    if ran:
                        cell[0] += now - started
                self._running[client] -= 1
                if not self._running[client]:
                    del self._running[client]
                self._charges += 1
                if self._charges % _SWEEP_EVERY == 0:
                    now = self.clock()
                    self.levels.sweep(lambda cell: cell[0] - (now - cell[1]) * self.rate <= 0)
