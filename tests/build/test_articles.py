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


#: The project's own note beside the copies (attribution and licence of each article).
NOTICE = "NOTICE.md"


@pytest.mark.skipif(not GIVEN.is_dir(), reason="no ../shared/seeds beside this clone")
def test_the_copy_is_byte_for_byte_the_given_articles() -> None:
    given = {p.name: p.read_bytes() for p in GIVEN.iterdir() if p.is_file()}
    copied = {p.name: p.read_bytes() for p in COPY.iterdir() if p.is_file() and p.name != NOTICE}
    assert copied == given, "data/articles/ differs from ../shared/seeds/: copy the articles again"


def test_every_article_has_its_attribution_and_licence_note() -> None:
    notice = (COPY / NOTICE).read_text()
    for article in sorted(COPY.glob("*.txt")):
        row = next((line for line in notice.splitlines() if f"`{article.name}`" in line), None)
        assert row is not None, f"{NOTICE} says nothing about {article.name}"
        assert row.count("|") == 5 and row.split("|")[4].strip(), f"{article.name} has no licence note"


def test_a_clone_without_shared_builds(tmp_path: Path) -> None:
    """What someone who clones the repository alone gets: the build finds its articles."""
    from tests.conftest import make_settings
    from tkg.build import check

    settings = make_settings(tmp_path / "build", seeds_dir=COPY)
    inputs, _ = check(settings, report=lambda _line: None)
    assert len(inputs.data) > 5000
