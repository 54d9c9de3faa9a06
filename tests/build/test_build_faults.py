"""The build never loses the last good graph: killed at any moment, the previous store serves."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, made_once, make_settings, run_cli
from tkg.build import build
from tkg.config import Settings
from tkg.failpoints import BUILD_POINTS
from tkg.storage import Manifest, StoreError, open_store_dir
from tkg.store import EmbeddedStore

ASK = "ASK { <https://w3id.org/trotskyism/id/org/epsilon-party> ?p ?o }"


def kill_builds(root: Path) -> None:
    """A good store in ``root/base``, then per failpoint a copy of it and a build of changed data killed
    at that point; ``root/killed.json`` records each copy's previous store and the signal it died of."""
    shutil.copytree(FIXTURES / "data", root / "data")
    base = make_settings(root / "base", root / "data", FIXTURES / "seeds")
    build(base, report=lambda _l: None)
    path = base.data_dir / "fixture.ttl"
    path.write_text(path.read_text() + "\n# a comment changes the dataset version\n")
    goods = {}
    for number, point in enumerate(BUILD_POINTS):
        settings = make_settings(root / f"build-{number}", base.data_dir, base.seeds_dir)
        shutil.copytree(base.build_dir, settings.build_dir, symlinks=True)
        goods[point] = (settings, settings.current_store.resolve())
    lines = "".join(f"{s.build_dir} {s.data_dir} {s.seeds_dir} {p}\n" for p, (s, _) in goods.items())
    killer = subprocess.run(
        [sys.executable, "-m", "tests.build_killer"], input=lines, capture_output=True, text=True, timeout=600
    )
    assert killer.returncode == 0, killer.stderr[-3000:]
    died = dict(line.split() for line in killer.stdout.splitlines())
    killed = {point: {"good": str(good), "signal": int(died[point])} for point, (_, good) in goods.items()}
    (root / "killed.json").write_text(json.dumps(killed))


@pytest.fixture(scope="module")
def killed_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Settings, str, Path, int]]:
    """For each failpoint: a good store, then a build of changed data killed at that point.

    Maps the point to the settings, the previous version, the previous store directory and the signal
    the killed build died of. Made once per run (:func:`tests.conftest.made_once`): each test finishes
    the build of its own point's copy.
    """
    root = made_once(tmp_path_factory, "killed-builds", kill_builds)
    previous = Manifest.read(make_settings(root / "base").current_store.resolve()).version
    killed = json.loads((root / "killed.json").read_text())
    return {
        point: (
            make_settings(root / f"build-{number}", root / "data", FIXTURES / "seeds"),
            previous,
            Path(killed[point]["good"]),
            killed[point]["signal"],
        )
        for number, point in enumerate(BUILD_POINTS)
    }


@pytest.mark.parametrize("point", BUILD_POINTS)
def test_a_build_killed_at_any_point_leaves_a_complete_store(killed_builds, point: str) -> None:
    settings, previous, good, signal_number = killed_builds[point]
    assert signal_number == signal.SIGKILL, f"the build did not die at {point}"
    # `current` is a complete store: the previous one until the atomic rename, the new one after it.
    store, current, directory = open_store_dir(settings.current_store)
    assert bool(store.query(ASK, use_default_graph_as_union=True))
    del store
    swapped = BUILD_POINTS.index(point) >= BUILD_POINTS.index("swap:replaced")
    assert (directory != good) is swapped
    assert (current.version != previous) is swapped
    # a complete build afterwards makes the new version current and cleans up the debris
    directory, new = build(settings, report=lambda _l: None)
    assert new.version != previous
    assert settings.current_store.resolve() == directory
    assert EmbeddedStore(settings.current_store).query(ASK).boolean
    assert not list(settings.build_dir.glob(".current.*"))


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
