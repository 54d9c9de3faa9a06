"""The per-client budget of query time: a bucket that fills with query time and drains with the clock."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.unit.test_reads import reader as make_reader
from tkg.budget import Budget, OverBudget, SharedLevels
from tkg.reads import Reader
from tkg.store import Busy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_that_spent_its_share_waits_and_the_others_do_not() -> None:
    clock = Clock()
    budget = Budget(seconds=5, window=60, concurrent=4, clock=clock)
    for _ in range(3):
        with budget.spend("a"):
            clock.now += 2  # three queries of 2 s: 6 s, over the 5 s share
    with pytest.raises(OverBudget) as refused, budget.spend("a"):
        pass
    wait = refused.value.retry_after
    assert refused.value.status == 429 and wait is not None
    # the bucket drains 5 s a minute, during the queries too: 6 - 3 * 2 / 12 = 5.67 s, 8 s to drain 0.67 s
    assert 8 <= wait <= 10
    assert "5 s of query time per 60 s" in refused.value.sentence()
    with budget.spend("b"):
        clock.now += 1
    clock.now += wait - 3  # not yet (with the 1 s of b's query: wait - 2)
    assert budget.retry_after("a") is not None
    clock.now += 2  # Retry-After said when: now it may
    with budget.spend("a"):
        pass


def test_a_failed_query_is_charged_too() -> None:
    clock = Clock()
    budget = Budget(seconds=3, window=60, concurrent=4, clock=clock)
    with pytest.raises(RuntimeError), budget.spend("a"):
        clock.now += 10  # a runaway query stopped at its deadline
        raise RuntimeError("stopped")
    assert budget.retry_after("a") is not None


def test_at_most_concurrent_queries_per_client() -> None:
    budget = Budget(seconds=60, window=60, concurrent=2)
    with budget.spend("a"), budget.spend("a"):
        with pytest.raises(OverBudget, match="2 queries at once"), budget.spend("a"):
            pass
        with budget.spend("b"):  # another client has its own
            pass
    with budget.spend("a"):  # the running ones ended
        pass


def test_exempt_and_unknown_clients_are_not_metered() -> None:
    clock = Clock()
    budget = Budget(seconds=1, window=60, concurrent=1, exempt=("127.0.0.1",), clock=clock)
    for client in ("127.0.0.1", None):
        for _ in range(3):
            with budget.spend(client):
                clock.now += 5
    assert budget.retry_after("127.0.0.1") is None


def test_buckets_are_safe_across_threads() -> None:
    budget = Budget(seconds=1000, window=60, concurrent=100)
    errors: list[BaseException] = []

    def spend() -> None:
        try:
            for _ in range(200):
                with budget.spend("a"):
                    pass
        except BaseException as error:  # pragma: no cover - only on a failure
            errors.append(error)

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and budget._running == {}


def test_the_reader_charges_its_queries_to_the_client_it_is_told() -> None:
    clock = Clock()
    budget = Budget(seconds=0.5, window=60, concurrent=4, clock=clock)
    who = ["a"]
    runner = make_reader().runner

    class Slow:
        """The real in-process runner, on a clock that says each query took a second."""

        def run(self, task):  # type: ignore[no-untyped-def]
            clock.now += 1
            return runner.run(task)

    reader = Reader(Slow(), budget, lambda: who[0])
    assert len(reader.rows("SELECT ?s { ?s ?p ?o }")) > 0
    with pytest.raises(OverBudget):
        reader.rows("SELECT ?s { ?s ?p ?o }")
    who[0] = "b"
    assert len(reader.rows("SELECT ?s { ?s ?p ?o }")) > 0


def test_workers_sharing_a_file_of_levels_give_a_client_one_share(tmp_path: Path) -> None:
    """What one worker process charged, another sees: a client has one share, not one per worker."""
    levels = tmp_path / "budgets"
    SharedLevels.create(levels)
    other_worker = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from tkg.budget import Budget, SharedLevels\n"
        "budget = Budget(2, 60, 4, levels=SharedLevels(Path(sys.argv[1])))\n"
        "with budget.spend('203.0.113.7'):\n"
        "    time.sleep(2.5)\n"
    )
    subprocess.run([sys.executable, "-c", other_worker, str(levels)], check=True, timeout=60)
    budget = Budget(2, 60, 4, levels=SharedLevels(levels))
    with pytest.raises(OverBudget), budget.spend("203.0.113.7"):
        pass
    with budget.spend("203.0.113.8"):  # another client's cell is its own
        pass


def test_a_query_that_found_no_free_process_costs_nothing() -> None:
    """A 503 Busy ran nothing: the time spent waiting for a process is not the client's query time."""
    clock = Clock()
    budget = Budget(seconds=5, window=60, concurrent=4, clock=clock)
    for _ in range(3):
        with pytest.raises(Busy), budget.spend("a"):
            clock.now += 10  # waited the whole time budget for a process, then gave up
            raise Busy("all query processes are busy; try again shortly")
    with budget.spend("a"):  # not over its share: none of that was charged
        clock.now += 1


@pytest.mark.parametrize("shared", [False, True])
def test_the_check_before_a_query_does_not_wait_for_a_charge_in_progress(
    shared: bool, tmp_path: Path
) -> None:
    """Admission reads the level without the locks a charge holds (the check runs before every query).

    Shared levels are read off the map: the record lock held here binds other processes only, so
    that case checks :meth:`SharedLevels.peek`'s reading, and the budget's own lock for both."""
    clock = Clock()
    levels = SharedLevels(tmp_path / "levels") if shared else None
    budget = Budget(seconds=5, window=60, concurrent=4, clock=clock, levels=levels)
    with budget.spend("a"):
        clock.now += 6
    answers: list[int | None] = []
    with budget._lock, budget.levels.cell("a"):  # a charge of another thread, mid-way
        checking = threading.Thread(target=lambda: answers.append(budget.retry_after("a")))
        checking.start()
        checking.join(5)
    assert answers and answers[0] is not None and answers[0] >= 1
    assert budget.retry_after("b") is None
