"""``server/wsgi.py``'s steps that need no build or server."""

from __future__ import annotations

import gc
import os
import subprocess
import weakref
from contextlib import ExitStack
from pathlib import Path

from server.wsgi import RUN_PREFIX, run_directory, settle_heap


def test_a_settled_heap_is_out_of_the_collector_s_reach_and_its_garbage_is_gone() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: garbage only the collector frees

    kept = [{"n": n} for n in range(20_000)]  # long-lived state, as a warm worker's
    garbage = weakref.ref(Node())
    try:
        settle_heap()
        assert gc.get_freeze_count() >= len(kept)
        assert len(gc.get_objects(generation=2)) < 1_000, "a full collection would still walk the heap"
        assert garbage() is None, "the garbage was frozen with the rest"
    finally:
        gc.unfreeze()


def test_a_run_directory_goes_when_its_server_stops_and_a_killed_server_s_goes_at_the_next_start(
    tmp_path: Path,
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()  # a server killed before it could clean up: its process is gone
    killed = tmp_path / f"{RUN_PREFIX}{gone.pid}-x1"
    running = tmp_path / f"{RUN_PREFIX}{os.getpid()}-x2"  # a server still running (this process)
    other = tmp_path / f"{RUN_PREFIX}notes"  # not named after a process: not ours to judge
    for directory in (killed, running, other):
        directory.mkdir()
        (directory / "budgets").write_bytes(b"\0" * 64)
    with ExitStack() as cleanup:
        run = run_directory(cleanup, tmp_path)
        assert run.is_dir() and run.name.startswith(f"{RUN_PREFIX}{os.getpid()}-")
        assert oct(run.stat().st_mode & 0o777) == oct(0o700)
        assert not killed.exists() and running.exists() and other.exists()
    assert not run.exists()
