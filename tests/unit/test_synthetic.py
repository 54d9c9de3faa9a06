"""The synthetic worlds of the scale benchmark pass the lint at every size (1000x included)."""

from __future__ import annotations

import re

import pytest

from bench.synthetic import world
from tkg.lint import _YEAR


def organisation_names(n: int) -> list[str]:
    text = "\n".join(world(n, seed=7).ttl)
    return re.findall(r'^o:\S+ a tkg:\w+ ; rdfs:label "([^"]*)"@en', text, re.MULTILINE)


@pytest.mark.parametrize("n", [0, 1799, 1800, 1930, 2099, 20_150])
def test_no_world_number_reads_as_a_year_in_an_organisation_name(n: int) -> None:
    names = organisation_names(n)
    assert len(names) > 5
    assert [name for name in names if _YEAR.search(name)] == []
    assert any(f"{n:,}" in name for name in names)
