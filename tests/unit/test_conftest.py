"""The test suite's own helpers (tests/conftest.py): the real build's cache key, the run-wide directories
and servers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import requests

from tests.conftest import alive, build_key, made_once, run_root, shared_serve, stop_recorded
from tkg.config import Settings


def test_the_build_key_does_not_depend_on_where_the_inputs_are(tmp_path: Path) -> None:
    """Clones and worktrees of one commit share the cached real build: the key hashes relative paths."""
    seeds = Settings().seeds_dir
    elsewhere = tmp_path / "elsewhere" / seeds.name
    shutil.copytree(seeds, elsewhere)
    assert build_key(elsewhere) == build_key(seeds)
    (elsewhere / "added.ttl").write_text("# a new seed file changes the build\n")
    assert build_key(elsewhere) != build_key(seeds)


def test_made_once_makes_its_directory_once_and_again_after_a_failure(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Every worker of a run reads one directory; a ``make`` that raised leaves it to be made again."""
    calls: list[Path] = []

    def make(root: Path) -> None:
        calls.append(root)
        (root / "made.txt").write_text(str(len(calls)))

    first = made_once(tmp_path_factory, "made-once-test", make)
    assert made_once(tmp_path_factory, "made-once-test", make) == first
    assert calls == [first] and (first / "made.txt").read_text() == "1"

    def broken(root: Path) -> None:
        (root / "half.txt").write_text("half")
        raise RuntimeError("the make failed")

    with pytest.raises(RuntimeError):
        made_once(tmp_path_factory, "made-once-broken", broken)
    again = made_once(tmp_path_factory, "made-once-broken", make)
    assert (again / "made.txt").exists() and not (again / "half.txt").exists()


def test_a_shared_server_starts_once_for_the_run_and_its_record_stops_it(
    real_build: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A second ask (another xdist worker's) gets the first server; the run's end stops it by its record."""
    first = shared_serve(tmp_path_factory, "shared-test", real_build.build_dir, "--workers", "1")
    assert shared_serve(tmp_path_factory, "shared-test", real_build.build_dir, "--workers", "1") == first
    assert requests.get(first + "/", timeout=10).status_code == 200
    root = run_root(tmp_path_factory)
    record = root / "server-shared-test.json"
    pid = json.loads(record.read_text())["pid"]
    stop_recorded(root, record.name)
    record.unlink()
    assert not alive(pid)
    with pytest.raises(requests.ConnectionError):
        requests.get(first + "/", timeout=10)
