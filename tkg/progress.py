"""Progress bars for the build's long loops: on a terminal only, plain stage lines elsewhere.

A bar is tqdm's, written to stderr and shown only when stderr is a terminal
(``disable=None``), so a log, a CI run or a test's captured output gets just
the stage lines of :class:`tkg.build.Timings` with their counts and rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def bar(items: Iterable[T], what: str, unit: str, total: int | None = None) -> Iterator[T]:
    """``items`` as they are, with a bar counting them (and a rate, and a time left if ``total``)."""
    return iter(tqdm(items, **_options(what, unit, total)))


def counter(what: str, unit: str, total: int | None = None) -> tqdm:
    """A bar advanced by hand (``.update(n)``), for a loop that is not a plain iteration."""
    return tqdm(**_options(what, unit, total))


def _options(what: str, unit: str, total: int | None) -> dict[str, Any]:
    """How every bar of the build looks: drawn on a terminal only (``disable=None``), gone when done."""
    return {
        "desc": f"  {what}",
        "unit": f" {unit}",
        "total": total,
        "unit_scale": True,
        "disable": None,
        "leave": False,
        "mininterval": 0.5,
        "dynamic_ncols": True,
    }
