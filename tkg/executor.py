"""Run SPARQL queries in child processes that are killed at their time budget.

pyoxigraph has no query timeout and a Python signal cannot interrupt it, so a
runaway query can only be stopped by stopping the process that runs it. Each
web worker keeps a pool of such query processes; a query that outlives its
budget has its process killed (its CPU freed) and replaced, and the caller
gets :class:`QueryTimeout`, never a partial answer. Rows and bytes are capped
inside the process.

The query processes answer from memory. One *zygote* process per pool loads
the built store into an in-memory pyoxigraph store (from the build's N-Quads
dump, without ever opening RocksDB, whose threads would make ``fork`` unsafe)
and then forks every query process: the children share its pages
copy-on-write, so a new one is ready in about a millisecond and costs little
memory. With ``in_memory=False`` (``TKG_STORE_IN_MEMORY=0``, for graphs too big
for memory) the zygote loads nothing and each child opens the on-disk store
read-only after it is forked.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import fcntl
import marshal
import math
import mmap
import multiprocessing as mp
import os
import pickle
import signal
import struct
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import reduction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .namespaces import PREFIXES
from .store import (
    QUERY_ERRORS,
    Boolean,
    Busy,
    Dataset,
    EmbeddedStore,
    Graph,
    GraphStore,
    Kind,
    QueryError,
    QueryFailed,
    QueryTimeout,
    Reply,
    Result,
    ResultTooLarge,
    Rows,
    has_dump,
)

__all__ = [
    "Answer",
    "Busy",
    "Executor",
    "Limits",
    "PoolCounts",
    "QueryFailed",
    "QueryTimeout",
    "SharedTurns",
    "Task",
    "execute",
]


@dataclass(frozen=True)
class Limits:
    """The budget of one query."""

    timeout: float = 10.0
    max_rows: int = 100_000
    max_bytes: int = 50_000_000


@dataclass(frozen=True)
class Answer:
    """A serialised answer, for the SPARQL endpoint and the canned-query API."""

    kind: Kind
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Task:
    """One query for a query process.

    Without ``media_types`` the answer comes back as typed rows (:class:`~tkg.store.Rows` and its kin);
    with them, serialised in the media type chosen for the result's kind.
    ``prefixes`` declares the app's prefixes (:data:`tkg.namespaces.PREFIXES`).
    """

    query: str
    dataset: Dataset = field(default_factory=Dataset)
    media_types: dict[Kind, str] | None = None
    base_iri: str | None = None
    prefixes: bool = False


def execute(store: GraphStore, task: Task, limits: Limits) -> Answer | Reply:
    """Run one task in this process: the children's work (and the in-process runner's)."""
    result = store.query(
        task.query, task.dataset, task.base_iri, prefixes=PREFIXES if task.prefixes else None
    )
    if task.media_types is None:
        return typed(result, limits.max_rows)
    media_type = task.media_types[result.kind]
    body = result.serialize(media_type, max_rows=limits.max_rows, max_bytes=limits.max_bytes)
    if len(body) > limits.max_bytes:
        raise ResultTooLarge(f"the result is over {limits.max_bytes} bytes; add a LIMIT")
    return Answer(result.kind, media_type, body)


def typed(result: Result, max_rows: int) -> Reply:
    """The result as plain rows of pyoxigraph terms (picklable), at most ``max_rows`` of them."""
    if result.kind == "boolean":
        return Boolean(result.boolean)
    if result.kind == "graph":
        triples = list(result.triples(max_rows))
        return Graph(triples)
    raw = result.raw_solutions()
    names = tuple(v.value for v in raw.variables)
    rows = []
    for count, solution in enumerate(raw, start=1):
        if count > max_rows:
            raise ResultTooLarge(f"more than {max_rows} result rows; add a LIMIT")
        rows.append({name: term for name, term in zip(names, solution, strict=True) if term is not None})
    return Rows(names, rows)


#: The message that tells a query process to exit.
_STOP = b""


def _pack_task(task: Task) -> bytes:
    """A task on the wire: ``marshal`` for the endpoint's (strings only: 0.9 µs there and back against
    pickle's 5.6), pickle for the rest."""
    if task.media_types is None:
        return b"P" + pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
    dataset = task.dataset
    fields = (task.query, dataset.default_graphs, dataset.named_graphs, task.media_types, task.base_iri)
    return b"M" + marshal.dumps((*fields, task.prefixes))


def _unpack_task(data: bytes | bytearray) -> Task:
    if data[:1] == b"P":
        task: Task = pickle.loads(data[1:])
        return task
    query, default_graphs, named_graphs, media_types, base_iri, prefixes = marshal.loads(data[1:])
    return Task(query, Dataset(default_graphs, named_graphs), media_types, base_iri, prefixes)


def _pack_reply(status: str, value: object) -> bytes:
    """A reply on the wire: an error or a serialised answer by ``marshal``, typed rows by pickle."""
    if isinstance(value, Answer):
        return b"A" + marshal.dumps((value.kind, value.media_type, value.body))
    if isinstance(value, str):
        return b"E" + marshal.dumps((status, value))
    return b"P" + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _unpack_reply(data: bytes | bytearray) -> tuple[str, Any]:
    tag, rest = bytes(data[:1]), memoryview(data)[1:]
    if tag == b"A":
        return "ok", Answer(*marshal.loads(rest))
    if tag == b"E":
        status, message = marshal.loads(rest)
        return status, message
    return "ok", pickle.loads(rest)


def _serve(store: EmbeddedStore, conn: Connection, limits: Limits) -> None:
    """A query process's loop: a task in, one reply out, until the pool closes the pipe."""
    conn.send("ready")
    fd = conn.fileno()
    while True:
        frames = _Frames()
        try:
            while (data := frames.read(fd)) is None:  # a blocking pipe: each read waits for bytes
                pass
        except (EOFError, OSError):
            return
        if data == _STOP:
            return
        try:
            reply = _pack_reply("ok", execute(store, _unpack_task(data), limits))
        except QueryError as error:
            reply = _pack_reply(type(error).__name__, error.message)
        except Exception as error:  # raised by pyoxigraph while evaluating
            reply = _pack_reply("QueryFailed", f"{type(error).__name__}: {error}")
        _send_frame(fd, reply)


def _zygote(path: str, in_memory: bool, limits: Limits, conn: Connection) -> None:
    """Load the store once, then fork a query process for each request of the pool.

    The children are reaped by the kernel (``SIGCHLD`` ignored), so a killed one
    never lingers as a zombie.
    """
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # Without a dump the copy would come from RocksDB, whose threads must not cross a fork:
    # then each child copies the store itself, after it is forked.
    store = EmbeddedStore(Path(path), in_memory=True) if in_memory and has_dump(Path(path)) else None
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        parent_end, child_end = mp.Pipe()
        pid = os.fork()
        if pid == 0:  # the query process
            code = 0
            try:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                conn.close()
                parent_end.close()
                _serve(store or EmbeddedStore(Path(path), in_memory=in_memory), child_end, limits)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child_end.close()
        conn.send(pid)
        reduction.send_handle(conn, parent_end.fileno(), os.getppid())
        parent_end.close()


class _Child:
    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid, self.conn, self.fd = pid, conn, conn.fileno()
        self.idle_since = time.monotonic()

    def kill(self, wait: float = 2.0) -> None:
        """Kill the process and wait (a little) until it is gone: its CPU is free when this returns."""
        self.conn.close()
        deadline = time.monotonic() + wait
        try:
            os.kill(self.pid, signal.SIGKILL)
            while time.monotonic() < deadline:
                time.sleep(0.002)
                os.kill(self.pid, 0)  # the zygote ignores SIGCHLD: the kernel reaps it at once
        except ProcessLookupError:
            pass


class _Frames:
    """A reply read off a query process's pipe chunk by chunk, one read each time the pipe is readable,
    so that neither the event loop nor a thread blocks on a reply that is still being written.

    The framing is :meth:`Connection.send_bytes`'s: a signed 4-byte big-endian length (-1: an 8-byte
    length follows), then the bytes. Most replies arrive in the first read; a larger one is read
    straight into a buffer of its size.

    >>> from multiprocessing.connection import Pipe
    >>> ours, theirs = Pipe()
    >>> theirs.send_bytes(b"reply")
    >>> _Frames().read(ours.fileno())
    b'reply'
    """

    FIRST = 65_536

    def __init__(self) -> None:
        self._head = b""
        self._body: bytearray | None = None
        self._got = 0

    @property
    def started(self) -> bool:
        """Whether any byte of the reply has been read."""
        return bool(self._head) or self._body is not None

    def read(self, fd: int) -> bytes | bytearray | None:
        """Read what the pipe holds; the reply once whole. :class:`EOFError`: the process is gone."""
        if self._body is None:
            try:
                chunk = os.read(fd, self.FIRST)
            except BlockingIOError:  # woken for nothing
                return None
            if not chunk:
                raise EOFError
            data = self._head + chunk if self._head else chunk
            size, start = _frame_size(data)
            if size < 0:
                self._head = data
                return None
            if len(data) - start >= size:
                return data[start : start + size]
            self._body = bytearray(size)
            self._got = len(data) - start
            self._body[: self._got] = memoryview(data)[start:]
            return None
        try:
            got = os.readv(fd, [memoryview(self._body)[self._got :]])
        except BlockingIOError:
            return None
        if not got:
            raise EOFError
        self._got += got
        return self._body if self._got == len(self._body) else None


def _send_frame(fd: int, data: bytes) -> None:
    """``data`` framed as :meth:`Connection.send_bytes` frames it, written whole to the blocking pipe
    ``fd`` (without the Connection's checks: a task is sent on every query)."""
    size = len(data)
    header = size.to_bytes(4, "big") if size <= 0x7FFFFFFF else b"\xff\xff\xff\xff" + size.to_bytes(8, "big")
    view = memoryview(header + data)
    while view:
        view = view[os.write(fd, view) :]


def _frame_size(data: bytes) -> tuple[int, int]:
    """The length a frame's header announces and where its bytes start (-1: the header is not whole)."""
    if len(data) < 4:
        return -1, 0
    size = int.from_bytes(data[:4], "big", signed=True)
    if size != -1:
        return size, 4
    return (int.from_bytes(data[4:12], "big"), 12) if len(data) >= 12 else (-1, 0)


class _Exchange:
    """One task on one query process: the steps :meth:`Executor.run` and :meth:`Executor.run_async` share.

    The task is sent; the caller waits, as it can, up to :meth:`wait` seconds for the pipe to be
    readable and then calls :meth:`readable`, until :meth:`wait` says None. A query still running
    after ``slow_after`` has its process lowered to the least CPU priority (``slow`` turns true); one
    that runs past ``timeout`` has no reply. The process may be reused only after a reply, and a
    demoted one only once its priority is raised back (:meth:`reusable`).
    """

    def __init__(self, child: _Child, task: Task, slow_after: float, timeout: float) -> None:
        _send_frame(child.fd, _pack_task(task))
        self.child, self.frames = child, _Frames()
        now = time.monotonic()
        self.slow_at, self.end = now + min(slow_after, timeout), now + timeout
        self.slow = False
        self.priority: int | None = None  # the process's priority before it was demoted
        self.reply: tuple[str, Any] | None = None

    def wait(self) -> float | None:
        """Seconds to wait for the pipe to be readable; None: finished (a reply, or out of time)."""
        if self.reply is not None:
            return None
        now = time.monotonic()
        if not self.slow:
            if now < self.slow_at:
                return self.slow_at - now
            self.slow = True
            if not self.frames.started:  # a reply already arriving: the query is done, keep the process
                self.priority = _lower_priority(self.child.pid)
        return self.end - now if now < self.end else None

    def readable(self) -> None:
        """Read what the pipe holds (:class:`EOFError` or :class:`OSError`: the process died)."""
        frame = self.frames.read(self.child.fd)
        if frame is not None:
            self.reply = _unpack_reply(frame)

    @property
    def demoted(self) -> bool:
        return self.priority is not None

    def reusable(self) -> bool:
        """Whether the process may take another task: it replied, at its first priority.

        A demoted process that replied within the budget is raised back to its priority, where the
        system allows it (root, ``CAP_SYS_NICE`` or ``RLIMIT_NICE``), and kept: a slow query that
        finished then costs no fork and no warm-up. Where it does not, the process is replaced.
        """
        if self.reply is None:
            return False
        return self.priority is None or _restore_priority(self.child.pid, self.priority)


class _Turns:
    """The queries one event loop runs at once: ``free`` turns, and the requests waiting for one in order.

    A queue of futures rather than an :class:`asyncio.Semaphore` awaited under ``wait_for``, which
    makes a task per waiting request.
    """

    def __init__(self, turns: int) -> None:
        self.free = turns
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    async def take(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        """Take a turn, waiting at most ``timeout`` seconds (then :class:`~tkg.store.Busy`)."""
        if self.free > 0 and not self._waiting:
            self.free -= 1
            return
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiting.append(waiter)
        await _turn_or_busy(loop, waiter, timeout, self.give)

    def give(self) -> None:
        """Give a turn back: to the first request still waiting, or to the free ones."""
        waiting = self._waiting
        while waiting:
            waiter = waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1

    def close(self) -> None:
        """Nothing to free: the turns are counted in this process."""


class SharedTurns:
    """Turns shared by every web worker of one server, given to the request that has waited longest.

    Each worker runs its own event loop, pool and turns; with turns per worker, two workers run twice
    the queries the cores can take, and the one that got most connections (granian shares them
    unevenly: 32 + 0 was seen) queues its clients while the other idles. Here ``tkg serve`` makes a FIFO
    holding one byte per free turn (:meth:`create`, about CPUs + 1) before granian starts its workers,
    as make's jobserver does: a worker takes a free turn by reading a byte.

    A request that finds none waits on its worker's loop, and the worker writes when its oldest waiter
    arrived into its slot of a table every worker maps (``turns.heads``). A turn given back goes to the
    oldest waiter of all (within :attr:`SLACK`, which keeps a turn in its worker): handed over directly
    in the same worker, otherwise a byte written into that worker's own FIFO (``turns.inbox<slot>``,
    which its loop watches), or back into the free FIFO if no one waits. So the queue is one queue in
    arrival order, give or take a few milliseconds, however the connections are spread. The
    table is read without a lock: a stale slot only sends a byte to a worker with no waiter left, which
    passes it on. A worker writes its own head and count without it; every other change to the table
    (a slot claimed, left, or a dead worker's reclaimed) is made under its lock (``fcntl``). Each slot
    also counts the turns its worker holds, so that the turns of a worker killed while holding them go
    back to the free FIFO (:meth:`_reclaim`: when a slot is claimed, and at most once a second while a
    request waits), as do the turns sent to its inbox and not read. A slot names its process by pid
    and start time (:func:`start_time`), so that a dead worker left as a zombie by its parent, or whose
    pid the system gave to another process since, is seen as dead. A worker killed in the instant
    between moving a turn's byte and counting it (a few instructions) loses that turn, which no
    reclaim can tell from one it never had; none is ever made.
    """

    #: Openers the table holds: a pid each (0: free), then when each one's oldest waiter arrived (inf:
    #: none), so that the oldest of all is one ``min`` in C, then the turns each one holds, then when
    #: each one's process started (:func:`start_time`: a pid alone may be a zombie's or reused).
    SLOTS = 64
    #: Seconds between two looks for dead workers' turns while a request of this worker waits.
    RECLAIM_EVERY = 1.0
    #: Seconds a waiter of this worker may have arrived after the oldest of another and still be
    #: served first: a turn handed over in the same worker runs at once, where one sent to another
    #: worker idles until that worker's loop wakes (on a busy machine, a time slice), so a give keeps
    #: its turn unless that costs another worker's request more than this.
    SLACK = 0.005

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)  # read and write ends: a read never sees EOF
        self._waiting: collections.deque[tuple[float, asyncio.Future[None]]] = collections.deque()
        # the loop that watches the inbox (weakly: the executor keeps this object for as long as the loop
        # lives, and no longer), and whether it watches the free FIFO too, for its waiters
        self._loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._watching = False
        self._writers: dict[int, int] = {}  # other slots' inboxes, opened for writing
        self._heads_fd = os.open(path + ".heads", os.O_RDWR)
        self._table = mmap.mmap(self._heads_fd, self.SLOTS * 32)
        self._pids = memoryview(self._table)[: self.SLOTS * 8].cast("q")
        self._heads = memoryview(self._table)[self.SLOTS * 8 : self.SLOTS * 16].cast("d")
        self._held = memoryview(self._table)[self.SLOTS * 16 : self.SLOTS * 24].cast("q")
        self._starts = memoryview(self._table)[self.SLOTS * 24 :].cast("q")
        # whether a look for dead workers is scheduled: a flag, not the timer's handle, which holds its
        # loop (kept here, it would keep a finished loop and its slot alive for as long as the executor)
        self._looking = False
        self.slot = self._claim()
        inbox = f"{path}.inbox{self.slot}"
        with contextlib.suppress(FileExistsError):  # a slot's FIFO outlives its opener
            os.mkfifo(inbox, 0o600)
        self.inbox = os.open(inbox, os.O_RDWR | os.O_NONBLOCK)
        self._published = math.inf

    @classmethod
    def files(cls, path: Path) -> list[Path]:
        """The files of the turns at ``path``: the free FIFO, the table, the inboxes."""
        return [path, path.with_name(f"{path.name}.heads"), *path.parent.glob(f"{path.name}.inbox*")]

    @classmethod
    def create(cls, path: Path, turns: int) -> int:
        """A FIFO at ``path`` holding ``turns`` turns and the table of waiters beside it; the descriptor
        that keeps the turns (close it last). The files of a server that was killed are replaced."""
        for stale in cls.files(path):
            stale.unlink(missing_ok=True)
        os.mkfifo(path, 0o600)
        with open(f"{path}.heads", "wb") as table:
            table.write(bytes(cls.SLOTS * 8) + struct.pack(f"={cls.SLOTS}d", *[math.inf] * cls.SLOTS))
            table.write(bytes(cls.SLOTS * 16))
        fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        os.write(fd, b"t" * max(1, turns))
        return fd

    def _claim(self) -> int:
        """A free slot of the table (or one whose process is gone), marked with this process's id and
        start time."""
        pid = os.getpid()
        started = start_time(pid) or 0
        fcntl.lockf(self._heads_fd, fcntl.LOCK_EX)
        try:
            self._reclaim_locked()
            for slot, owner in enumerate(self._pids):
                if owner == 0:
                    self._pids[slot], self._heads[slot], self._held[slot] = pid, math.inf, 0
                    self._starts[slot] = started
                    return slot
        finally:
            fcntl.lockf(self._heads_fd, fcntl.LOCK_UN)
        raise RuntimeError(f"more than {self.SLOTS} openers of the turns at {self.path}")

    def _look_for_dead(self) -> None:
        """Reclaim dead workers' turns (a waiter is woken through the free FIFO), and look again later
        while a request of this worker still waits."""
        self._looking = False
        if self.fd < 0 or self._first() is None:  # closed meanwhile, or no one waits: no timer left
            return
        self._reclaim()
        loop = self._loop() if self._loop is not None else None
        if loop is not None and not loop.is_closed():
            self._looking = True
            loop.call_later(self.RECLAIM_EVERY, self._look_for_dead)

    def _reclaim(self) -> None:
        """The turns of workers that died holding them, back in the free FIFO."""
        fcntl.lockf(self._heads_fd, fcntl.LOCK_EX)
        try:
            self._reclaim_locked()
        finally:
            fcntl.lockf(self._heads_fd, fcntl.LOCK_UN)

    def _reclaim_locked(self) -> None:
        for slot, pid in enumerate(self._pids):
            if pid != 0 and not _alive(pid, self._starts[slot]):
                held, self._held[slot] = self._held[slot], 0
                self._pids[slot], self._heads[slot], self._starts[slot] = 0, math.inf, 0
                freed = max(0, held) + self._drain(f"{self.path}.inbox{slot}")
                if freed:
                    os.write(self.fd, b"t" * freed)

    @staticmethod
    def _drain(inbox: str) -> int:
        """The turns sent to a dead worker's inbox that it never read (they outlive it while another
        worker keeps the inbox open for writing), read out."""
        try:
            fd = os.open(inbox, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            return 0
        try:
            return _unread(fd)
        finally:
            os.close(fd)

    def _grab(self) -> bool:
        """Whether a free turn was taken from the FIFO, without waiting."""
        try:
            return bool(os.read(self.fd, 1))
        except BlockingIOError:
            return False

    async def take(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        """Take a turn, waiting at most ``timeout`` seconds (then :class:`~tkg.store.Busy`)."""
        if self._loop is None:
            loop.add_reader(self.inbox, self._delivered)
            self._loop = weakref.ref(loop)
        if self._first() is None and self._grab():
            self._held[self.slot] += 1
            return
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiting.append((time.monotonic(), waiter))
        self._settle()
        if not self._looking:  # while any request waits, look for dead workers' turns now and then
            self._looking = True
            loop.call_later(self.RECLAIM_EVERY, self._look_for_dead)
        try:
            await _turn_or_busy(loop, waiter, timeout, self.give)
        finally:
            self._settle()

    def _first(self) -> asyncio.Future[None] | None:
        """This worker's oldest request still waiting (the finished ones dropped)."""
        waiting = self._waiting
        while waiting and waiting[0][1].done():
            waiting.popleft()
        return waiting[0][1] if waiting else None

    def _free(self) -> None:
        """The free FIFO is readable: a turn for this worker's oldest waiter, if it still has one."""
        if self._first() is not None and self._grab():
            self._held[self.slot] += 1
            self._waiting.popleft()[1].set_result(None)
        self._settle()

    def _delivered(self) -> None:
        """Turns given to this worker: to its waiters in order, the rest passed on."""
        try:
            count = len(os.read(self.inbox, 64))
        except BlockingIOError:
            return
        self._held[self.slot] += count  # counted at once: a worker killed now leaves them to reclaim
        for _ in range(count):
            if self._first() is not None:
                self._waiting.popleft()[1].set_result(None)
            else:
                self._settle()
                self.give()
        self._settle()

    def _settle(self) -> None:
        """Publish when this worker's oldest waiter arrived, and watch the free FIFO while any waits."""
        first = self._first()
        head = self._waiting[0][0] if first is not None else math.inf
        if head != self._published:
            self._heads[self.slot] = self._published = head
        if (first is not None) != self._watching:
            loop = self._loop() if self._loop is not None else None
            if loop is None:
                return
            if first is None:
                loop.remove_reader(self.fd)
            else:
                loop.add_reader(self.fd, self._free)
            self._watching = first is not None

    def give(self) -> None:
        """Give a turn this worker holds back: to the oldest waiter of any worker, else to the free FIFO."""
        if self.fd < 0:  # closed (the executor shut down with queries in flight): its turns were freed
            return
        self._held[self.slot] -= 1
        self._pass_on()

    def _pass_on(self) -> None:
        """A turn this worker does not hold (any more) to the oldest waiter of any worker, else freed."""
        heads = self._heads.tolist()
        oldest = min(heads)
        first = self._first()
        if first is not None and self._waiting[0][0] <= oldest + self.SLACK:
            self._waiting.popleft()
            self._held[self.slot] += 1
            first.set_result(None)
            self._settle()
            return
        best = heads.index(oldest) if oldest != math.inf else -1
        if best >= 0 and best != self.slot and self._send(best):
            return
        os.write(self.fd, b"t")

    def _send(self, slot: int) -> bool:
        """A turn written into another slot's inbox; False if its worker is gone (its slot is cleared)."""
        fd = self._writers.get(slot)
        try:
            if fd is None:
                fd = self._writers[slot] = os.open(f"{self.path}.inbox{slot}", os.O_WRONLY | os.O_NONBLOCK)
            os.write(fd, b"t")
            return True
        except OSError:  # no reader left (ENXIO, EPIPE): its worker died without clearing its slot
            self._forget(slot)
            return False

    def _forget(self, slot: int) -> None:
        """Stop writing to ``slot``'s inbox. A FIFO's unread bytes go with its last descriptor, and this
        process's may be the last on a dead worker's inbox that still holds turns: so first, under the
        table's lock, dead workers' turns are reclaimed (their inboxes read out) and the inbox of a slot
        left free is read out too. The dead worker's head is cleared there, under the lock, never here
        without it: the slot may be claimed meanwhile by a new worker, whose head must stay."""
        fd = self._writers.pop(slot, None)
        fcntl.lockf(self._heads_fd, fcntl.LOCK_EX)
        try:
            self._reclaim_locked()
            if fd is not None and self._pids[slot] == 0:
                freed = self._drain(f"{self.path}.inbox{slot}")
                if freed:
                    os.write(self.fd, b"t" * freed)
        finally:
            if fd is not None:
                os.close(fd)
            fcntl.lockf(self._heads_fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Leave the table and close the descriptors (again: nothing)."""
        if self.fd < 0:
            return
        loop = self._loop() if self._loop is not None else None
        if loop is not None and not loop.is_closed():
            loop.remove_reader(self.inbox)
            if self._watching:
                loop.remove_reader(self.fd)
        self._looking = False  # a look still scheduled finds the turns closed and ends
        self._loop, self._watching = None, False
        fcntl.lockf(self._heads_fd, fcntl.LOCK_EX)
        try:
            self._heads[self.slot] = math.inf  # no more turns sent here; those held or sent and unread: freed
            held, self._held[self.slot] = self._held[self.slot], 0  # uncounted before freed, never twice
            freed = max(0, held) + _unread(self.inbox)
            if freed:
                os.write(self.fd, b"t" * freed)
            self._pids[self.slot], self._starts[self.slot] = 0, 0
        finally:
            fcntl.lockf(self._heads_fd, fcntl.LOCK_UN)
        for slot in list(self._writers):
            self._forget(slot)
        os.close(self.fd)
        os.close(self.inbox)
        self.fd = self.inbox = -1
        self._pids.release()
        self._heads.release()
        self._held.release()
        self._starts.release()
        self._table.close()
        os.close(self._heads_fd)


def _unread(fd: int) -> int:
    """How many bytes a non-blocking FIFO held, read out."""
    count = 0
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(fd, 64):
            count += len(chunk)
    return count


#: Whether this system tells when a process started (Linux's ``/proc``).
_PROC = os.path.exists("/proc/self/stat")


def start_time(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks after boot: field 22 of ``/proc/PID/stat``), or None if
    there is no such process, it is a zombie (exited, not yet waited for by its parent), or this system
    has no ``/proc``. With the pid it names one process: a pid is reused once its process is reaped.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = stat.rpartition(b")")[2].split()  # after the name, which may hold spaces and parentheses
    if fields[0] in (b"Z", b"X"):  # field 3, the state: zombie, dead
        return None
    return int(fields[19])


def _alive(pid: int, started: int) -> bool:
    """Whether the process ``pid`` that started at ``started`` (:func:`start_time`) still runs. Without
    ``/proc``, whether any process ``pid`` exists (one of another user's counts)."""
    return start_time(pid) == started if _PROC else running(pid)


def running(pid: int) -> bool:
    """Whether any process ``pid`` exists (one of another user's counts; a zombie too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


async def _turn_or_busy(
    loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[None], timeout: float, give: Callable[[], None]
) -> None:
    """Wait for ``waiter`` to be handed a turn, at most ``timeout`` seconds (then :class:`~tkg.store.Busy`);
    a turn handed over as the wait was cancelled is passed on with ``give``."""
    late = loop.call_later(timeout, _too_late, waiter)
    try:
        await waiter
    except asyncio.CancelledError:
        if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
            give()
        raise
    finally:
        late.cancel()


def _too_late(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(Busy("all query processes are busy; try again shortly"))


@dataclass
class PoolCounts:
    """What a pool has done since it started, for the worker's exit line and the benchmark: queries run,
    processes started (forked), demoted (still running after ``slow_after``), replaced (killed once not
    reusable: demoted, out of time or dead), and requests that waited for a process in a thread.

    Counted without a lock where a count is not already under one: a race loses a count, never a query.
    """

    queries: int = 0
    started: int = 0
    demoted: int = 0
    replaced: int = 0
    waited: int = 0

    def __str__(self) -> str:
        return (
            f"{self.queries} queries, {self.started} processes started, {self.demoted} demoted, "
            f"{self.replaced} replaced, {self.waited} waited for a process"
        )


class Executor:
    """An elastic pool of query processes over one store directory.

    ``warm`` processes are started at once; under load the pool grows to
    ``most`` processes and keeps them while they are in use, so that a burst
    does not start and kill processes continuously; a process beyond ``warm``
    that stayed idle for ``linger`` seconds is retired, so that memory comes
    back to its baseline after the burst. A query still running after
    ``slow_after`` seconds has its process lowered to the least CPU priority,
    so that a flood of heavy queries cannot starve the light ones; once its
    query ends such a process is raised back and kept where the system allows
    it, and otherwise replaced by a fresh one, as is one whose query ran past
    the budget.
    """

    def __init__(
        self,
        store_path: Path,
        warm: int = 2,
        most: int = 16,
        limits: Limits | None = None,
        slow_after: float = 0.25,
        in_memory: bool = True,
        linger: float = 1.0,
        active: int | None = None,
        turns: Path | None = None,
    ) -> None:
        self.path = str(store_path)
        #: Queries :meth:`run_async` runs at once (by default one per CPU, at least two); the next
        #: wait on the event loop in turn, and a query demoted as slow gives its place up. With
        #: ``turns`` (a FIFO made by :meth:`SharedTurns.create`) the turns are shared by every process
        #: that opens it instead: ``tkg serve``'s workers.
        self.active = active or max(2, len(os.sched_getaffinity(0)))  # the CPUs this process may use
        self.shared_turns = turns
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Turns | SharedTurns] = (
            weakref.WeakKeyDictionary()
        )
        self.linger = linger
        self.limits = limits or Limits()
        self.in_memory = in_memory
        self.warm, self.most, self.slow_after = warm, max(most, warm, 1), slow_after
        # A fork server that has already imported pyoxigraph starts the zygote quickly.
        self._context = mp.get_context("forkserver")
        self._context.set_forkserver_preload(["tkg.executor"])
        self._cond = threading.Condition()
        self._zygote_lock = threading.Lock()
        self._idle: list[_Child] = []
        self._all: set[_Child] = set()
        self._count = 0  # processes alive or being started
        self._starting = 0
        self.counts = PoolCounts()
        self._closed = threading.Event()
        self._start_zygote()
        for _ in range(warm):
            child = self._start()
            with self._cond:
                self._count += 1
                self._idle.append(child)
        threading.Thread(target=self._retire_idle, daemon=True).start()
        atexit.register(self.close)

    def _retire_idle(self) -> None:
        """Retire processes beyond ``warm`` that stayed idle for ``linger`` seconds (a burst is over)."""
        while not self._closed.wait(self.linger / 2):
            now = time.monotonic()
            retired = []
            with self._cond:
                # the oldest idle first: acquire takes the most recently used
                for child in list(self._idle):
                    if self._count <= self.warm:
                        break
                    if now - child.idle_since >= self.linger:
                        self._idle.remove(child)
                        self._all.discard(child)
                        self._count -= 1
                        retired.append(child)
            for child in retired:
                with contextlib.suppress(OSError):
                    child.conn.send_bytes(_STOP)
                child.kill()

    def _start_zygote(self) -> None:
        conn, remote = self._context.Pipe()
        process = self._context.Process(
            target=_zygote, args=(self.path, self.in_memory, self.limits, remote), daemon=True
        )
        process.start()
        remote.close()
        if not conn.poll(120) or conn.recv() != "ready":
            process.kill()
            raise RuntimeError(f"the query processes' store could not be loaded from {self.path}")
        self._zygote, self._zygote_conn = process, conn

    def _start(self) -> _Child:
        with self._zygote_lock:
            if not self._zygote.is_alive():
                self._start_zygote()
            self._zygote_conn.send("fork")
            pid = self._zygote_conn.recv()
            conn = Connection(reduction.recv_handle(self._zygote_conn))
        child = _Child(pid, conn)
        if not conn.poll(60) or conn.recv() != "ready":
            child.kill()
            raise RuntimeError("a query process failed to start")
        with self._cond:
            self._all.add(child)
            self.counts.started += 1
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
        return child

    def _release(self, child: _Child, reusable: bool) -> None:
        with self._cond:
            if reusable:
                child.idle_since = time.monotonic()
                self._idle.append(child)
                self._cond.notify()
                return
            self._count -= 1
            self._all.discard(child)
            self.counts.replaced += 1
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

    def run(self, task: Task) -> Answer | Reply:
        """Answer a task within the time budget, or raise a :class:`~tkg.store.QueryError`."""
        child = self._acquire()
        try:
            exchange = _Exchange(child, task, self.slow_after, self.limits.timeout)
            while (wait := exchange.wait()) is not None:
                if child.conn.poll(wait):
                    exchange.readable()
        except (EOFError, OSError):
            self._release(child, reusable=False)
            raise QueryFailed("the query process died") from None
        self._count_exchange(exchange)
        self._release(child, exchange.reusable())
        return self._unpack(exchange.reply)

    async def run_async(self, task: Task) -> Answer | Reply:
        """:meth:`run` for an event loop: the same steps (:class:`_Exchange`), budget, demotion, kill and
        replacement, and the same errors, but the waits for the query process are readers on its pipe,
        not a blocked thread; and the queries take turns (:class:`_Turns`), a slow one giving its up.

        Only the rare waits happen in a thread: for a process when none is idle, and for the
        kill of one that is not reused.
        """
        loop = asyncio.get_running_loop()
        turns = self._turns.get(loop)
        if turns is None:  # one per event loop (a worker has one; tests start several)
            shared = self.shared_turns
            turns = self._turns[loop] = SharedTurns(str(shared)) if shared else _Turns(self.active)
            weakref.finalize(loop, turns.close)  # its slot and descriptors freed with the loop
        await turns.take(loop, self.limits.timeout)
        holding = True
        try:
            child = self._idle_child()
            if child is None:
                self.counts.waited += 1
                pending = loop.run_in_executor(None, self._acquire)
                try:
                    child = await asyncio.shield(pending)
                except asyncio.CancelledError:  # the thread still takes a process: give it back unused
                    pending.add_done_callback(self._give_back)
                    raise
            try:
                exchange = _Exchange(child, task, self.slow_after, self.limits.timeout)
                while (wait := exchange.wait()) is not None:
                    if exchange.slow and holding:
                        turns.give()  # a slow query gives its place to the next one
                        holding = False
                    if await _readable(loop, child.fd, wait):
                        exchange.readable()
            except (EOFError, OSError):
                await loop.run_in_executor(None, self._release, child, False)
                raise QueryFailed("the query process died") from None
            except BaseException:  # cancelled: its answer may still come, so the process cannot be reused
                loop.run_in_executor(None, self._release, child, False)
                raise
        finally:
            if holding:
                turns.give()
        self._count_exchange(exchange)
        if exchange.reusable():
            self._release(child, reusable=True)
        else:
            await loop.run_in_executor(None, self._release, child, False)
        return self._unpack(exchange.reply)

    def _count_exchange(self, exchange: _Exchange) -> None:
        counts = self.counts
        counts.queries += 1
        if exchange.demoted:
            counts.demoted += 1

    def _give_back(self, acquired: asyncio.Future[_Child]) -> None:
        """Return a process acquired for a request that was cancelled meanwhile (it never ran a task)."""
        if not acquired.cancelled() and acquired.exception() is None:
            self._release(acquired.result(), reusable=True)

    def _idle_child(self) -> _Child | None:
        """An idle process if there is one, without waiting."""
        with self._cond:
            return self._idle.pop() if self._idle else None

    def _unpack(self, reply: Any) -> Answer | Reply:
        """A query process's reply as its answer, or its error raised (``None``: it timed out)."""
        if reply is None:
            raise QueryTimeout(
                f"the query ran past its time budget of {self.limits.timeout:g} s and was stopped"
            )
        status, value = reply
        if status == "ok":
            return value
        raise QUERY_ERRORS[status](value)

    def pids(self) -> list[int]:
        """The process ids of the query processes (for monitoring and tests)."""
        with self._cond:
            return sorted(c.pid for c in self._all)

    def close(self) -> None:
        self._closed.set()
        for turns in list(self._turns.values()):
            turns.close()
        self._turns.clear()
        with self._cond:
            children, self._all, self._idle = list(self._all), set(), []
        for child in children:
            with contextlib.suppress(OSError):
                child.conn.send_bytes(_STOP)
            child.kill()
        with contextlib.suppress(OSError):
            self._zygote_conn.send(None)
        self._zygote.join(5)
        if self._zygote.is_alive():
            self._zygote.kill()


class InProcess:
    """The same tasks answered in this process: for the CLI, scripts and unit tests, without a budget;
    and for a remote store (:class:`~tkg.remote.RemoteStore`), which keeps its budget itself."""

    def __init__(self, store: GraphStore, limits: Limits | None = None) -> None:
        self.store, self.limits = store, limits or Limits()

    def run(self, task: Task) -> Answer | Reply:
        try:
            return execute(self.store, task, self.limits)
        except QueryError:
            raise
        except Exception as error:  # raised by pyoxigraph while evaluating
            raise QueryFailed(f"{type(error).__name__}: {error}") from error


async def _readable(loop: asyncio.AbstractEventLoop, fd: int, timeout: float) -> bool:
    """Whether the pipe ``fd`` has something to read (a reply, or the end of a dead process) within
    ``timeout``."""
    waiter = loop.create_future()

    def settle(ready: bool) -> None:
        if not waiter.done():
            waiter.set_result(ready)

    loop.add_reader(fd, settle, True)
    late = loop.call_later(timeout, settle, False)
    try:
        return await waiter
    finally:
        loop.remove_reader(fd)
        late.cancel()
        # uvloop made the pipe non-blocking: the next task, written whole by _send_frame, needs it blocking
        os.set_blocking(fd, True)


def _lower_priority(pid: int) -> int | None:
    """Give a slow query's process the least CPU priority; its priority before, or None if not done."""
    try:
        before = os.getpriority(os.PRIO_PROCESS, pid)
        os.setpriority(os.PRIO_PROCESS, pid, 19)
    except OSError:
        return None
    return before


def _restore_priority(pid: int, priority: int) -> bool:
    """Raise a demoted process back to ``priority``; False where the system does not let this process
    raise a priority (it needs root, ``CAP_SYS_NICE`` or a ``RLIMIT_NICE`` that allows it)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, priority)
    except OSError:
        return False
    return True
