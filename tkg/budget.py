"""A fair share of query time for each client, as public endpoints promise (Wikidata: 60 s per 60 s).

Each client has a bucket that fills with the seconds its queries take and
drains at ``seconds / window`` per second: a client may spend ``seconds`` of
query time at once, then as much as drains. While its bucket is full, or while
it already runs ``concurrent`` queries, a new query is refused with
:class:`OverBudget` (429, with the seconds until it may try again), and the
query processes stay free for everyone else. A runaway query is charged its
whole budget, so a client that floods them is stopped after a few.

The bucket is kept per web worker, in memory: with several workers a client
gets at most that many shares. :class:`tkg.reads.Reader` consults it for every
query it runs; who the client is, the server says (its address, or the one a
trusted proxy forwarded).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .store import QueryError

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


@dataclass
class _Bucket:
    level: float = 0.0
    updated: float = 0.0
    running: int = 0


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
    ) -> None:
        if window <= 0:
            raise ValueError(f"a budget's window must be positive, not {window}")
        self.seconds = seconds
        self.rate = seconds / window  # seconds of query time a client regains per second
        self.concurrent = concurrent
        self.exempt = frozenset(exempt)
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._charges = 0

    def _drained(self, client: str, now: float) -> _Bucket:
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = _Bucket(updated=now)
        bucket.level = max(0.0, bucket.level - (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may run a query again (None: it may now)."""
        with self._lock:
            bucket = self._drained(client, self.clock())
            return self._wait(bucket)

    def _wait(self, bucket: _Bucket) -> int | None:
        if bucket.level < self.seconds:
            return None
        return max(1, math.ceil((bucket.level - self.seconds) / self.rate) + 1)

    @contextmanager
    def spend(self, client: str | None) -> Iterator[None]:
        """Run one query of ``client`` (None or exempt: not metered), charging the time it takes.

        Raises :class:`OverBudget` before the query starts if the client's share is spent.
        """
        if client is None or client in self.exempt or self.seconds <= 0:
            yield
            return
        with self._lock:
            now = self.clock()
            bucket = self._drained(client, now)
            wait = self._wait(bucket)
            if wait is not None:
                raise OverBudget(
                    f"this client has used its {self.seconds:g} s of query time per "
                    f"{self.seconds / self.rate:g} s, so that other clients keep theirs.",
                    wait,
                )
            if bucket.running >= self.concurrent:
                raise OverBudget(
                    f"this client already runs {bucket.running} queries at once, the most one client may.",
                    1,
                )
            bucket.running += 1
        started = self.clock()
        try:
            yield
        finally:
            with self._lock:
                now = self.clock()
                bucket = self._drained(client, now)
                bucket.level += now - started
                bucket.running -= 1
                self._charges += 1
                if self._charges % _SWEEP_EVERY == 0:
                    self._sweep()

    def _sweep(self) -> None:
        """Forget clients with an empty bucket and nothing running: memory stays bounded by activity."""
        now = self.clock()
        for client in list(self._buckets):
            bucket = self._drained(client, now)
            if bucket.level == 0 and bucket.running == 0:
                del self._buckets[client]
