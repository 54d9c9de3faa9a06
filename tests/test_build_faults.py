"""The build never loses the last good graph: killed at any moment, the previous store serves."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import cli_env, run_cli
from tkg.build import build
from tkg.config import Settings
from tkg.storage import StoreError, open_store_dir
from tkg.store import EmbeddedStore

ASK = "ASK { <https://w3id.org/trotskyism/id/org/epsilon-party> ?p ?o }"


def start_build(settings: Settings) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tkg.cli", "build"],
        env=cli_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def test_a_build_killed_at_any_moment_leaves_the_previous_store(fixture_settings: Settings) -> None:
    good, manifest = build(fixture_settings, report=lambda _l: None)
    # change the data so that a finished rebuild would be a new version
    path = fixture_settings.data_dir / "fixture.ttl"
    path.write_text(path.read_text() + "\n# a comment changes the dataset version\n")
    delays = [0.05, 0.3, 0.8, 1.2, 1.6, 2.0, 2.5, 3.2, 4.0]
    killed = kept_previous = 0
    for delay in delays:
        process = start_build(fixture_settings)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=60)
        # Whatever the moment of the kill, `current` is a complete store: the previous one,
        # or the new one if the kill came after the atomic swap.
        store, current, directory = open_store_dir(fixture_settings.current_store)
        assert bool(store.query(ASK, use_default_graph_as_union=True))
        del store
        if directory == good:
            assert current.version == manifest.version
            kept_previous += 1
    assert killed >= 3, "the kills must land while the build runs"
    assert kept_previous >= 2, "some kills must land before the swap"
    # a complete build afterwards swaps in the new version and cleans up the debris
    directory, new = build(fixture_settings, report=lambda _l: None)
    assert new.version != manifest.version
    assert fixture_settings.current_store.resolve() == directory
    assert EmbeddedStore(fixture_settings.current_store).query(ASK).boolean


def test_a_corrupt_store_is_refused_with_a_clear_message(fixture_settings: Settings, tmp_path: Path) -> None:
    good, _ = build(fixture_settings, report=lambda _l: None)
    broken = tmp_path / "broken-store"
    shutil.copytree(good, broken)
    for item in (broken / "oxigraph").iterdir():
        if item.name.startswith(("CURRENT", "MANIFEST")):
            item.unlink()
    with pytest.raises(StoreError, match="cannot be opened"):
        open_store_dir(broken)
    garbled = tmp_path / "garbled-store"
    shutil.copytree(good, garbled)
    (garbled / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match="unreadable"):
        open_store_dir(garbled)


def test_serve_refuses_a_partial_store(fixture_settings: Settings) -> None:
    good, _ = build(fixture_settings, report=lambda _l: None)
    (good / "manifest.json").unlink()
    result = run_cli(fixture_settings, "serve", "--port", "1")
    assert result.returncode == 2
    assert "unfinished build, refused" in result.stderr
