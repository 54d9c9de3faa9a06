"""The articles travel with the repository, and the copy is the one the project was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from tkg.config import ROOT, Settings

COPY = ROOT / "data" / "articles"
GIVEN = ROOT.parent / "shared" / "seeds"


def test_the_build_reads_the_articles_from_the_repository_by_default(monkeypatch) -> None:
    monkeypatch.delenv("TKG_SEEDS_DIR", raising=False)
    assert Settings().seeds_dir == COPY
    assert len(list(COPY.glob("*.txt"))) == 5


@pytest.mark.skipif(not GIVEN.is_dir(), reason="no ../shared/seeds beside this clone")
def test_the_copy_is_byte_for_byte_the_given_articles() -> None:
    given = {p.name: p.read_bytes() for p in GIVEN.iterdir() if p.is_file()}
    copied = {p.name: p.read_bytes() for p in COPY.iterdir() if p.is_file()}
    assert copied == given, "data/articles/ differs from ../shared/seeds/: copy the articles again"


def test_a_clone_without_shared_builds(tmp_path: Path) -> None:
    """What someone who clones the repository alone gets: the build finds its articles."""
    from tests.conftest import make_settings
    from tkg.build import check

    settings = make_settings(tmp_path / "build", seeds_dir=COPY)
    inputs, _ = check(settings, report=lambda _line: None)
    assert len(inputs.data) > 5000
