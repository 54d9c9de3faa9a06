"""The pool of query processes over a store of a few triples: memory or disk, bursts, the budget kill."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import random
import resource
import select
import signal
import socket
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from tests.conftest import alive
from tests.unit.stores import EX, HEAVY, make_store
from tkg.executor import Answer, Executor, Limits, SharedTurns, Task, _Frames, _send_frame, _Turns
from tkg.store import Boolean, Busy, QuerySyntaxError, QueryTimeout, Rows


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return make_store(tmp_path / "build")


@pytest.mark.parametrize("in_memory", [True, False])
@pytest.mark.parametrize("dumps", [True, False])
def test_memory_and_disk_give_the_same_answers(tmp_path: Path, in_memory: bool, dumps: bool) -> None:
    with closing(
        Executor(make_store(tmp_path / "build", dumps), warm=1, most=2, in_memory=in_memory)
    ) as executor:
        rows = executor.run(Task(f"SELECT ?s WHERE {{ ?s <{EX}p> 3 }}"))
        assert isinstance(rows, Rows) and rows.rows == [{"s": ox.NamedNode(f"{EX}s3")}]
        assert executor.run(Task("ASK { ?s ?p ?o }")) == Boolean(True)


def burst(executor: Executor, size: int) -> None:
    """``size`` queries at once (their processes taken together, then given back)."""
    children = [executor._acquire() for _ in range(size)]
    for child in children:
        executor._release(child, reusable=True)


def test_the_pool_keeps_its_processes_across_bursts(store_dir: Path) -> None:
    with closing(Executor(store_dir, warm=1, most=4, linger=5)) as executor:
        burst(executor, 3)
        after_burst = executor.pids()
        assert len(after_burst) == 3
        for _ in range(5):
            burst(executor, 3)
            executor.run(Task("ASK {}"))
        assert executor.pids() == after_burst, "processes were killed or started between bursts"


def test_the_pool_shrinks_back_once_a_burst_is_over(store_dir: Path) -> None:
    with closing(Executor(store_dir, warm=1, most=4, linger=0.2)) as executor:
        warm = executor.pids()
        burst(executor, 4)
        extra = set(executor.pids()) - set(warm)
        assert len(extra) == 3
        deadline = time.monotonic() + 5
        while len(executor.pids()) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(executor.pids()) == 1
        assert executor.run(Task("ASK {}")) == Boolean(True)


def test_a_query_past_its_budget_is_killed_and_replaced(store_dir: Path) -> None:
    with closing(Executor(store_dir, warm=1, most=2, limits=Limits(timeout=0.5), slow_after=0.1)) as executor:
        before = executor.pids()
        started = time.monotonic()
        with pytest.raises(QueryTimeout) as stopped:
            executor.run(Task(HEAVY))
        assert time.monotonic() - started < 5
        assert stopped.value.status == 503 and stopped.value.retry_after
        assert not any(alive(pid) for pid in before), "the runaway process still runs (or is a zombie)"
        assert executor.run(Task("ASK {}")) == Boolean(True)
        assert not set(before) & set(executor.pids())
        counts = executor.counts
        assert (counts.queries, counts.demoted, counts.replaced) == (2, 1, 1), str(counts)
        assert counts.started >= 2, "the replacement was not counted"


def _may_raise_priority() -> bool:
    """Whether this process may raise a process's priority back (root, or a ``RLIMIT_NICE`` allowing 0)."""
    return os.geteuid() == 0 or resource.getrlimit(resource.RLIMIT_NICE)[0] >= 20


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_slow_query_that_finishes_keeps_its_process_at_its_priority(
    store_dir: Path, asynchronous: bool
) -> None:
    """A query demoted as slow but answered within the budget leaves its process raised back to its
    priority and reused (no fork); where the system forbids raising it, the process is replaced, and in
    no case is a process left at the least priority for the next query."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with closing(Executor(store_dir, warm=1, most=1, limits=Limits(timeout=20), slow_after=0.01)) as executor:
        before = executor.pids()
        answer = asyncio.run(executor.run_async(Task(slow))) if asynchronous else executor.run(Task(slow))
        assert isinstance(answer, Rows) and answer.rows
        assert executor.counts.demoted == 1, f"the query was not slow enough to test this: {executor.counts}"
        after = executor.pids()
        assert [os.getpriority(os.PRIO_PROCESS, pid) for pid in after] == [os.getpriority(os.PRIO_PROCESS, 0)]
        if _may_raise_priority():
            assert after == before and executor.counts.replaced == 0, str(executor.counts)
        else:
            assert not set(after) & set(before) and executor.counts.replaced == 1, str(executor.counts)


def test_closing_the_pool_stops_every_process(store_dir: Path) -> None:
    executor = Executor(store_dir, warm=2, most=2)
    pids = executor.pids()
    executor.close()
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in pids)


def test_the_async_hop_answers_like_the_sync_one(store_dir: Path) -> None:
    with closing(Executor(store_dir, warm=1, most=3)) as executor:
        query = Task(f"SELECT ?s WHERE {{ ?s <{EX}p> 3 }}")

        async def many() -> list[object]:
            return list(await asyncio.gather(*(executor.run_async(query) for _ in range(6))))

        answers = asyncio.run(many())
        assert answers == [executor.run(query)] * 6
        with pytest.raises(QuerySyntaxError):
            asyncio.run(executor.run_async(Task("SELECT nonsense")))
        assert len(executor.pids()) <= 3


def test_the_async_hop_kills_and_replaces_a_query_past_its_budget(store_dir: Path) -> None:
    with closing(Executor(store_dir, warm=1, most=2, limits=Limits(timeout=0.5), slow_after=0.1)) as executor:
        before = executor.pids()

        async def heavy_then_light() -> tuple[BaseException | object, object]:
            try:
                await executor.run_async(Task(HEAVY))
            except QueryTimeout as error:
                stopped: BaseException | object = error
            else:
                stopped = None
            return stopped, await executor.run_async(Task("ASK {}"))

        started = time.monotonic()
        stopped, light = asyncio.run(heavy_then_light())
        assert time.monotonic() - started < 5
        assert isinstance(stopped, QueryTimeout) and stopped.status == 503
        assert light == Boolean(True)
        assert not any(alive(pid) for pid in before), "the runaway process still runs (or is a zombie)"
        assert not set(before) & set(executor.pids())
        counts = executor.counts
        assert (counts.queries, counts.demoted, counts.replaced) == (2, 1, 1), str(counts)


def test_a_cancelled_async_query_does_not_leave_its_answer_to_the_next(store_dir: Path) -> None:
    with closing(Executor(store_dir, warm=1, most=1, limits=Limits(timeout=5), slow_after=5)) as executor:

        async def cancel_then_ask() -> object:
            running = asyncio.ensure_future(executor.run_async(Task(HEAVY)))
            await asyncio.sleep(0.2)
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
            return await executor.run_async(Task("ASK { ?s ?p ?o }"))

        assert asyncio.run(cancel_then_ask()) == Boolean(True)


def test_a_request_cancelled_while_it_waits_for_a_process_gives_the_process_back(store_dir: Path) -> None:
    """The one process runs a runaway; a second request waits for a process in a thread and is
    cancelled. When the runaway is stopped, the thread gets its replacement: that process must go back
    to the pool, or a third request waits for the budget and is turned away (Busy)."""
    with closing(
        Executor(store_dir, warm=1, most=1, limits=Limits(timeout=2), slow_after=2, active=2)
    ) as executor:

        async def cancel_a_waiter() -> object:
            runaway = asyncio.ensure_future(executor.run_async(Task(HEAVY)))
            await asyncio.sleep(0.05)
            waiting = asyncio.ensure_future(executor.run_async(Task("ASK { ?s ?p ?o }")))
            await asyncio.sleep(0.2)  # its thread is inside the pool, waiting for the process
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
            with pytest.raises(QueryTimeout):
                await runaway
            return await executor.run_async(Task("ASK { ?s ?p ?o }"))

        assert asyncio.run(cancel_a_waiter()) == Boolean(True)


def test_a_reply_larger_than_the_pipe_arrives_whole_under_uvloop(store_dir: Path) -> None:
    """uvloop makes a reader's fd non-blocking: the pool must still read a long reply whole, on the
    loop and then from a thread (the Flask paths share the processes)."""
    import uvloop

    big = Task(
        f"CONSTRUCT {{ ?a <{EX}q> ?d }} WHERE {{ ?a ?b ?c . ?d ?e ?f }}",
        media_types={"graph": "application/n-triples", "bindings": "text/csv", "boolean": "text/csv"},
    )
    with closing(Executor(store_dir, warm=1, most=1)) as executor:
        for _ in range(3):
            answer = uvloop.run(executor.run_async(big))
            assert isinstance(answer, Answer) and len(answer.body) > 200_000
            assert answer.body.count(b"\n") == 60 * 60
            again = executor.run(big)
            assert isinstance(again, Answer) and again.body == answer.body


def test_queries_on_the_loop_take_turns_and_a_slow_one_gives_its_place_up(store_dir: Path) -> None:
    """One query at a time (``active=1``): a light query waits for its turn, not for a runaway query
    to reach its budget (3 s): the runaway is demoted after 0.1 s and leaves its place."""
    with closing(
        Executor(store_dir, warm=2, most=3, limits=Limits(timeout=3), slow_after=0.1, active=1)
    ) as executor:

        async def heavy_and_light() -> tuple[object, float, BaseException | None]:
            heavy = asyncio.ensure_future(executor.run_async(Task(HEAVY)))
            await asyncio.sleep(0.02)
            started = time.monotonic()
            lights = await asyncio.gather(*(executor.run_async(Task("ASK {}")) for _ in range(3)))
            waited = time.monotonic() - started
            stopped = (await asyncio.gather(heavy, return_exceptions=True))[0]
            return lights, waited, stopped if isinstance(stopped, BaseException) else None

        lights, waited, stopped = asyncio.run(heavy_and_light())
        assert lights == [Boolean(True)] * 3
        assert waited < 2, "the light queries waited for the runaway's budget"
        assert isinstance(stopped, QueryTimeout)


def test_a_reply_is_read_whole_however_it_is_cut() -> None:
    """The frame reader takes a reply in as many pieces as the pipe gives, both length headers."""
    big = bytes(range(256)) * 1000
    for header in (len(big).to_bytes(4, "big"), b"\xff\xff\xff\xff" + len(big).to_bytes(8, "big")):
        ours, theirs = socket.socketpair()
        with ours, theirs:
            frames, sent = _Frames(), header + big
            got = None
            for cut in (1, 3, 9, 70_000, len(sent)):  # pieces that split the header and the body
                theirs.sendall(sent[:cut])
                sent = sent[cut:]
                while got is None and select.select([ours], [], [], 0)[0]:
                    got = frames.read(ours.fileno())
                if sent:
                    assert got is None
            assert got == big
            theirs.close()
            with pytest.raises(EOFError):
                _Frames().read(ours.fileno())


@pytest.fixture(params=["worker", "machine"])
def one_turn(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], _Turns | SharedTurns]]:
    """Turns with one turn: a worker's own, or one shared through a FIFO (as ``tkg serve`` makes)."""
    if request.param == "worker":
        yield lambda: _Turns(1)
        return
    held = SharedTurns.create(tmp_path / "turns", 1)
    opened: list[SharedTurns] = []

    def shared() -> SharedTurns:
        opened.append(SharedTurns(str(tmp_path / "turns")))
        return opened[-1]

    yield shared
    for turns in opened:
        turns.close()
    os.close(held)


def test_a_request_that_finds_no_turn_in_time_is_busy_and_a_cancelled_one_passes_its_turn_on(
    one_turn: Callable[[], _Turns | SharedTurns],
) -> None:
    async def queue() -> tuple[BaseException | None, list[str]]:
        loop = asyncio.get_running_loop()
        turns = one_turn()
        await turns.take(loop, 1)
        try:
            await turns.take(loop, 0.05)
            busy = None
        except Busy as error:
            busy = error
        order: list[str] = []

        async def wait(name: str) -> None:
            await turns.take(loop, 5)
            order.append(name)
            turns.give()

        first = asyncio.ensure_future(wait("first"))
        second = asyncio.ensure_future(wait("second"))
        await asyncio.sleep(0)
        turns.give()  # to the first, which is cancelled before it runs: the second gets it
        first.cancel()
        await asyncio.gather(first, second, return_exceptions=True)
        return busy, order

    busy, order = asyncio.run(queue())
    assert isinstance(busy, Busy) and order == ["second"]


def test_a_task_framed_by_the_pool_is_read_by_the_query_process_s_connection() -> None:
    """The pool writes tasks itself (no Connection on its side) in Connection's framing: ``recv_bytes``
    reads them, as the query process's ``_Frames`` does."""
    ours, theirs = multiprocessing.Pipe()
    with ours, theirs:
        for task in (b"", b"M" + b"x" * 300_000):
            writing = threading.Thread(target=_send_frame, args=(ours.fileno(), task))
            writing.start()  # a task over the pipe's buffer is written as the child reads it
            assert theirs.recv_bytes() == task
            writing.join()


def test_turns_shared_by_two_workers_cap_both_and_a_turn_given_by_one_wakes_the_other(tmp_path: Path) -> None:
    """Two openers of one FIFO of two turns (two web workers): a third request waits whichever worker it
    reaches, the turn another process gives back wakes it, and every turn comes back to the FIFO."""
    path = tmp_path / "turns"
    held = SharedTurns.create(path, 2)
    first, second = SharedTurns(str(path)), SharedTurns(str(path))
    try:

        async def third_waits_for_a_give_from_another_process() -> tuple[BaseException | None, float]:
            loop = asyncio.get_running_loop()
            await first.take(loop, 1)
            await second.take(loop, 1)
            try:
                await second.take(loop, 0.05)
                busy = None
            except Busy as error:
                busy = error
            started = time.monotonic()
            waiting = asyncio.ensure_future(first.take(loop, 5))
            await asyncio.sleep(0.05)
            assert not waiting.done()
            pid = os.fork()
            if pid == 0:  # another worker gives its turn back
                try:
                    SharedTurns(str(path)).give()
                finally:
                    os._exit(0)
            await waiting
            os.waitpid(pid, 0)
            return busy, time.monotonic() - started

        busy, waited = asyncio.run(third_waits_for_a_give_from_another_process())
        assert isinstance(busy, Busy)
        assert waited < 2
        first.give()
        second.give()
        first.give()
        assert len(os.read(held, 10)) == 3, "turns were lost or made"
    finally:
        first.close()
        second.close()
        os.close(held)


def take(turns: SharedTurns, count: int = 1) -> None:
    """Take ``count`` turns on an event loop of its own, and keep them (until given back)."""

    async def taking() -> None:
        for _ in range(count):
            await turns.take(asyncio.get_running_loop(), 1)

    asyncio.run(taking())


def _dies_holding(path: Path, count: int = 1) -> int:
    """Fork a worker that takes ``count`` turns and exits without giving them back; its pid (not
    waited for)."""
    pid = os.fork()
    if pid == 0:
        try:
            take(SharedTurns(str(path)), count)
        finally:
            os._exit(0)
    return pid


def test_the_turns_of_a_worker_that_died_holding_them_come_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-query (two turns of two held) must not starve the others for good: a request
    waiting in another worker gets a turn once the dead one is noticed, and none are made or lost."""
    monkeypatch.setattr(SharedTurns, "RECLAIM_EVERY", 0.2)
    path = tmp_path / "turns"
    held = SharedTurns.create(path, 2)
    survivor = SharedTurns(str(path))
    try:
        os.waitpid(_dies_holding(path, 2), 0)  # a worker takes both turns and dies holding them

        async def wait_for_one() -> float:
            loop = asyncio.get_running_loop()
            started = time.monotonic()
            await survivor.take(loop, 5)
            return time.monotonic() - started

        waited = asyncio.run(wait_for_one())
        assert waited < 2
        survivor.give()
        assert len(os.read(held, 10)) == 2, "turns were lost or made"
    finally:
        survivor.close()
        os.close(held)


def test_a_worker_that_starts_after_one_died_holding_turns_frees_them(tmp_path: Path) -> None:
    """A restarted worker claims the dead one's slot and puts the turn it held back in the free FIFO."""
    path = tmp_path / "turns"
    held = SharedTurns.create(path, 1)
    try:
        os.waitpid(_dies_holding(path), 0)
        with pytest.raises(BlockingIOError):
            os.read(held, 10)  # the only turn left with the worker
        respawned = SharedTurns(str(path))
        try:
            assert len(os.read(held, 10)) == 1
        finally:
            respawned.close()
    finally:
        os.close(held)


def test_the_turns_of_a_worker_left_a_zombie_come_back(tmp_path: Path) -> None:
    """A worker that exited but that its parent has not waited for yet still has its pid (a zombie):
    its turns come back all the same."""
    path = tmp_path / "turns"
    held = SharedTurns.create(path, 1)
    pid = _dies_holding(path)
    try:
        deadline = time.monotonic() + 10
        while alive(pid):  # until it has exited: not waited for, it is a zombie
            assert time.monotonic() < deadline, "the worker did not exit"
            time.sleep(0.01)
        respawned = SharedTurns(str(path))
        try:
            assert len(os.read(held, 10)) == 1, "the zombie's turn was not reclaimed"
        finally:
            respawned.close()
    finally:
        os.waitpid(pid, 0)
        os.close(held)


def test_the_turns_of_a_dead_worker_whose_pid_another_process_took_come_back(tmp_path: Path) -> None:
    """A dead worker's pid given by the system to a new process (here: its slot made to name a live
    process that started after it) does not keep its turns: a slot names a pid and a start time."""
    path = tmp_path / "turns"
    held = SharedTurns.create(path, 1)
    survivor = SharedTurns(str(path))
    pid = _dies_holding(path)
    os.waitpid(pid, 0)
    time.sleep(0.05)  # a start time is counted in clock ticks: the new process starts ticks later
    with subprocess.Popen(["sleep", "60"]) as other:
        try:
            slot = survivor._pids.tolist().index(pid)
            survivor._pids[slot] = other.pid  # as if the system had reused the pid
            survivor._reclaim()
            assert len(os.read(held, 10)) == 1, "the turn stayed with the pid's new process"
            assert survivor._pids[slot] == 0
        finally:
            other.kill()
            survivor.close()
            os.close(held)


def deaf_worker(path: Path) -> int:
    """A forked worker on the turns at ``path`` whose oldest request has waited longest (so a turn
    given back goes to its inbox) and which never reads its inbox; its pid, once its slot is claimed.
    It sleeps for a minute: the test kills it."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            waiting = SharedTurns(str(path))
            waiting._heads[waiting.slot] = 0.0
            os.write(ready_w, b"r")
            time.sleep(60)
        finally:
            os._exit(0)
    try:
        assert os.read(ready_r, 1) == b"r"
    finally:
        os.close(ready_r)
        os.close(ready_w)
    return pid


def test_a_turn_sent_to_a_worker_that_died_before_reading_it_comes_back(tmp_path: Path) -> None:
    """A turn handed to another worker's inbox is in nobody's count until read: if that worker dies
    first, the next look for dead workers reads it out of the inbox and frees it."""
    path = tmp_path / "turns"
    held = SharedTurns.create(path, 1)
    giver = SharedTurns(str(path))
    pid = deaf_worker(path)
    try:
        take(giver)
        giver.give()  # to the waiting worker's inbox, not the free FIFO
        with pytest.raises(BlockingIOError):
            os.read(held, 10)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        giver._reclaim()
        assert len(os.read(held, 10)) == 1, "the turn in flight was lost"
    finally:
        giver.close()
        os.close(held)


def test_a_turn_sent_to_a_dead_worker_survives_the_next_give_that_finds_it_dead(tmp_path: Path) -> None:
    """A turn sits unread in a dead worker's inbox while its slot still shows a waiter: the next give
    to it fails (no reader), and the giver stops writing there. A FIFO's bytes go with its last
    descriptor, so the unread turn must be read out before the giver closes its own: two turns given,
    two back."""
    path = tmp_path / "turns"
    held = SharedTurns.create(path, 2)
    giver = SharedTurns(str(path))
    pid = deaf_worker(path)
    try:
        take(giver, 2)
        giver.give()  # into the waiting worker's inbox
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        giver.give()  # the slot still shows the waiter: the write fails, the giver stops writing there
        giver._reclaim()
        assert len(os.read(held, 10)) == 2, "the turn in the dead worker's inbox was lost"
    finally:
        giver.close()
        os.close(held)


def test_turns_taken_and_given_by_several_processes_at_once_are_neither_lost_nor_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three workers of three requests each take and give turns as fast as they can; a fourth does the
    same, then holds two of the three turns and is killed. The survivors never hold more turns than
    there are, they get the dead worker's turns back while they go on (they hold all three at once
    after its death), and once all is over every turn is back in the free FIFO (turns free + held + in
    inboxes == the total). The fourth is killed while its loop idles: one killed in the instant
    between moving a turn's byte and counting it loses that turn, which no reclaim can tell."""
    monkeypatch.setattr(SharedTurns, "RECLAIM_EVERY", 0.05)
    path, total = tmp_path / "turns", 3
    held = SharedTurns.create(path, total)
    in_use, most = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    stop = multiprocessing.Value("b", 0)
    ready_r, ready_w = os.pipe()

    def churn(turns: SharedTurns, rng: random.Random, rounds: int | None, counted: bool) -> Callable[[], Any]:
        async def requests() -> None:
            done = 0
            while (rounds is None and not stop.value) or (rounds is not None and done < rounds):
                await turns.take(asyncio.get_running_loop(), 10)
                if counted:
                    with in_use.get_lock():
                        in_use.value += 1
                        most.value = max(most.value, in_use.value)
                await asyncio.sleep(rng.random() / 1000)
                if counted:
                    with in_use.get_lock():
                        in_use.value -= 1
                turns.give()
                done += 1

        return requests

    def survivor() -> None:
        turns = SharedTurns(str(path))
        requests = churn(turns, random.Random(os.getpid()), None, counted=True)

        async def main() -> None:
            await asyncio.gather(*(requests() for _ in range(3)))

        asyncio.run(main())
        turns.close()

    def victim() -> None:
        turns = SharedTurns(str(path))
        requests = churn(turns, random.Random(os.getpid()), 40, counted=False)

        async def main() -> None:
            loop = asyncio.get_running_loop()
            await asyncio.gather(*(requests() for _ in range(3)))
            await asyncio.gather(turns.take(loop, 10), turns.take(loop, 10))
            os.write(ready_w, b"r")
            await loop.create_future()  # holds both until killed

        asyncio.run(main())

    def fork(work: Callable[[], None]) -> int:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                work()
                code = 0
            finally:
                os._exit(code)
        return pid

    try:
        doomed = fork(victim)
        survivors = [fork(survivor) for _ in range(3)]
        assert select.select([ready_r], [], [], 30)[0], "the fourth worker never held its two turns"
        time.sleep(0.05)
        os.kill(doomed, signal.SIGKILL)
        os.waitpid(doomed, 0)
        with in_use.get_lock():
            assert most.value <= total, f"{most.value} turns held at once, of {total}"
            most.value = in_use.value  # from here on: the most held at once after the death
        time.sleep(0.5)
        stop.value = 1
        for pid in survivors:
            assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0, "a worker failed (Busy?)"
        assert most.value == total, f"{most.value} turns held at once after the death, of {total}"
        SharedTurns(str(path)).close()  # claims a slot: anything still unreclaimed is reclaimed
        assert len(os.read(held, 10)) == total, "turns were lost or made"
    finally:
        os.close(held)
        os.close(ready_r)
        os.close(ready_w)


def test_turns_made_over_a_killed_server_s_files_start_afresh_and_a_give_after_close_is_ignored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "turns"
    os.close(SharedTurns.create(path, 3))  # a server killed: its files are left behind
    held = SharedTurns.create(path, 2)
    turns = SharedTurns(str(path))
    try:
        take(turns)
        turns.close()  # with a turn held: it is freed
        turns.give()  # the query's own give, after its executor closed: nothing
        assert len(os.read(held, 10)) == 2
    finally:
        turns.close()
        os.close(held)


@pytest.mark.parametrize(
    ("slack", "expected"),
    [(0.0, ["a0", "a1", "b1", "a2", "b2"]), (1.0, ["a0", "a1", "a2", "b1", "b2"])],
)
def test_a_turn_given_back_goes_to_the_request_that_waited_longest_in_any_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slack: float, expected: list[str]
) -> None:
    """One turn, two workers (two openers on one loop), requests queued on A, B, A, B a millisecond
    apart: without slack they are served in that order, not A's first because A gives the turn back;
    within the slack a worker keeps its turn for its own next request."""
    monkeypatch.setattr(SharedTurns, "SLACK", slack)
    path = tmp_path / "turns"
    held = SharedTurns.create(path, 1)
    a, b = SharedTurns(str(path)), SharedTurns(str(path))
    try:

        async def three_queued() -> list[str]:
            loop = asyncio.get_running_loop()
            order: list[str] = []

            async def request(name: str, turns: SharedTurns) -> None:
                await turns.take(loop, 5)
                order.append(name)
                await asyncio.sleep(0.01)
                turns.give()

            first = asyncio.ensure_future(request("a0", a))
            await asyncio.sleep(0.001)
            queued = []
            for name, turns in (("a1", a), ("b1", b), ("a2", a), ("b2", b)):
                queued.append(asyncio.ensure_future(request(name, turns)))
                await asyncio.sleep(0.001)
            await asyncio.gather(first, *queued)
            return order

        assert asyncio.run(three_queued()) == expected
        assert os.read(held, 10) == b"t", "the turn did not come back"
    finally:
        a.close()
        b.close()
        os.close(held)


def test_an_executor_on_shared_turns_gives_every_turn_back(store_dir: Path, tmp_path: Path) -> None:
    import uvloop

    held = SharedTurns.create(tmp_path / "turns", 1)
    try:
        with closing(Executor(store_dir, warm=2, most=3, turns=tmp_path / "turns")) as executor:

            async def many() -> list[object]:
                return list(await asyncio.gather(*(executor.run_async(Task("ASK {}")) for _ in range(5))))

            assert asyncio.run(many()) == [Boolean(True)] * 5
            assert uvloop.run(many()) == [Boolean(True)] * 5
        assert os.read(held, 10) == b"t"
    finally:
        os.close(held)


def test_a_loop_s_shared_turns_leave_the_table_with_their_loop(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An executor awaited from many loops in turn (tests, scripts) claims a slot of the table per loop and
    frees it with the loop: more loops than slots still run, and every turn comes back."""
    monkeypatch.setattr(SharedTurns, "SLOTS", 4)
    held = SharedTurns.create(tmp_path / "turns", 2)
    try:
        with closing(Executor(store_dir, warm=1, most=2, turns=tmp_path / "turns")) as executor:
            for _ in range(SharedTurns.SLOTS + 6):
                assert asyncio.run(executor.run_async(Task("ASK {}"))) == Boolean(True)
                gc.collect()
        assert os.read(held, 10) == b"tt"
    finally:
        os.close(held)


@pytest.mark.parametrize("kind", ["asyncio", "uvloop"])
def test_a_loop_whose_requests_waited_for_a_turn_is_freed_with_its_shared_turns(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A request that waits schedules the look for dead workers on its loop; once the loop is done,
    that timer must not keep it (and with it its slot of the table) alive: more loops than slots, each
    with a request that waited, still run, and each loop is gone once collected."""
    import uvloop

    monkeypatch.setattr(SharedTurns, "SLOTS", 4)
    held = SharedTurns.create(tmp_path / "turns", 1)
    try:
        with closing(Executor(store_dir, warm=2, most=2, turns=tmp_path / "turns")) as executor:

            async def two() -> list[object]:  # one waits for the turn the other holds
                return list(await asyncio.gather(*(executor.run_async(Task("ASK {}")) for _ in range(2))))

            for _ in range(SharedTurns.SLOTS + 2):
                loop = asyncio.new_event_loop() if kind == "asyncio" else uvloop.new_event_loop()
                assert loop.run_until_complete(two()) == [Boolean(True)] * 2
                loop.close()
                gone = weakref.ref(loop)
                del loop
                gc.collect()
                assert gone() is None, "the closed loop is still referenced"
        assert os.read(held, 10) == b"t"
    finally:
        os.close(held)
