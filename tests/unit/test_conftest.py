"""The test suite's own helpers (tests/conftest.py): the real build's cache key."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import build_key
from tkg.config import Settings


def test_the_build_key_does_not_depend_on_where_the_inputs_are(tmp_path: Path) -> None:
    """Clones and worktrees of one commit share the cached real build: the key hashes relative paths."""
    seeds = Settings().seeds_dir
    elsewhere = tmp_path / "elsewhere" / seeds.name
    shutil.copytree(seeds, elsewhere)
    assert build_key(elsewhere) == build_key(seeds)
    (elsewhere / "added.ttl").write_text("# a new seed file changes the build\n")
    assert build_key(elsewhere) != build_key(seeds)
