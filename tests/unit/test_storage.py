"""Pruning old stores: an unfinished store is kept while its build still writes into it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tkg.storage import STALE_SECONDS, prune


def unfinished(stores: Path, name: str, age: float, written: float | None = None) -> Path:
    """A store directory without a manifest, made ``age`` seconds ago, its RocksDB last written
    ``written`` seconds ago."""
    directory = stores / name
    (directory / "oxigraph").mkdir(parents=True)
    sst = directory / "oxigraph" / "000042.sst"
    sst.write_bytes(b"")
    now = time.time()
    for path in (sst, directory / "oxigraph", directory):
        os.utime(path, (now - age, now - age))
    if written is not None:
        os.utime(sst, (now - written, now - written))
    return directory


def test_a_long_build_still_writing_keeps_its_directory_and_an_abandoned_one_goes(tmp_path: Path) -> None:
    stores = tmp_path / "stores"
    writing = unfinished(stores, "writing", age=2 * STALE_SECONDS, written=5)
    abandoned = unfinished(stores, "abandoned", age=2 * STALE_SECONDS)
    keep = unfinished(stores, "new", age=0)
    prune(tmp_path, keep)
    assert writing.exists() and keep.exists()
    assert not abandoned.exists()
