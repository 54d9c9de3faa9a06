"""Positions on the USSR over time: one band per position, one line per stance.

A stance held over a period (``tkg:from``/``tkg:until``) is a bar, one held at
a date a dot; a stance the articles do not date sits in the "undated" column,
so that no stance is silently left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .svg import document, esc, year_of

LEFT, TOP, ROW_H, BAND_PAD, PLOT_W, UNDATED_W, MARGIN = 230, 40, 17, 10, 560, 170, 16
COLOURS = ["#2c3e80", "#c0392b", "#1e8449", "#d35400", "#76448a", "#117a65", "#9a7d0a", "#7b241c", "#555"]


@dataclass
class Stance:
    iri: str
    holder: str
    holder_label: str
    position: str
    position_label: str
    date: str | None = None
    start: str | None = None
    end: str | None = None


def render(stances: list[Stance], positions: list[tuple[str, str]], links: dict[str, str]) -> str:
    """The chart: ``positions`` is every concept (IRI, label) in display order."""
    by_position: dict[str, list[Stance]] = defaultdict(list)
    for stance in stances:
        by_position[stance.position].append(stance)
    years = [y for s in stances for y in (year_of(s.date), year_of(s.start), year_of(s.end)) if y]
    first = (min(years, default=1920) // 10) * 10
    last = max((max(years, default=1990) // 10 + 1) * 10, first + 10)

    def x_of(year: int) -> float:
        return LEFT + (year - first) / (last - first) * PLOT_W

    body: list[str] = []
    y = TOP
    for k, (position, label) in enumerate(positions):
        rows = sorted(by_position.get(position, []), key=lambda s: (_start(s) or 9999, s.holder_label))
        band_h = max(len(rows), 1) * ROW_H + BAND_PAD
        colour = COLOURS[k % len(COLOURS)]
        body.append(
            f'<g class="position" data-iri="{esc(position)}">'
            f'<rect x="{MARGIN}" y="{y}" width="{LEFT + PLOT_W + UNDATED_W - MARGIN}" height="{band_h}" '
            f'fill="{"#f7f7f7" if k % 2 == 0 else "#ffffff"}"/>'
            f'<text x="{MARGIN + 4}" y="{y + 16}" font-weight="bold" fill="{colour}">{esc(label)}</text></g>'
        )
        for r, stance in enumerate(rows):
            body.append(_stance(stance, y + BAND_PAD / 2 + r * ROW_H, colour, x_of, links))
        y += band_h
    axis = [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{y}" stroke="#999"/>']
    for year in range(first, last + 1, 10):
        axis.append(
            f'<line x1="{x_of(year):.1f}" y1="{TOP - 6}" x2="{x_of(year):.1f}" y2="{y}" stroke="#ddd"/>'
            f'<text x="{x_of(year):.1f}" y="{TOP - 10}" text-anchor="middle">{year}</text>'
        )
    axis.append(f'<text x="{LEFT + PLOT_W + 12}" y="{TOP - 10}">undated</text>')
    title = "Positions on the nature of the USSR over time, by holder"
    return document(LEFT + PLOT_W + UNDATED_W + MARGIN, y + MARGIN, axis + body, title, "positions-chart")


def _start(stance: Stance) -> int | None:
    return year_of(stance.start) or year_of(stance.date)


def _stance(stance: Stance, y: float, colour: str, x_of, links: dict[str, str]) -> str:
    start, end, at = year_of(stance.start), year_of(stance.end), year_of(stance.date)
    when = stance.date or "–".join(d for d in (stance.start, stance.end) if d) or "undated"
    mid = y + ROW_H / 2
    if start or end:
        x1 = x_of(start or end)  # type: ignore[arg-type]
        x2 = x_of(end) if end else x1 + 24  # open-ended: a short bar fading out
        fade = "" if end else ' fill-opacity="0.5"'
        mark = (
            f'<rect x="{x1:.1f}" y="{mid - 4:.1f}" width="{max(x2 - x1, 4):.1f}" height="8" rx="3" '
            f'fill="{colour}"{fade}/>'
        )
        text_x = max(x1, x2) + 6
    elif at:
        x1 = x_of(at)
        mark = f'<circle cx="{x1:.1f}" cy="{mid:.1f}" r="5" fill="{colour}"/>'
        text_x = x1 + 9
    else:
        x1 = LEFT + PLOT_W + 12
        mark = f'<circle cx="{x1:.1f}" cy="{mid:.1f}" r="4" fill="none" stroke="{colour}"/>'
        text_x = x1 + 8
    href = links.get(stance.iri)
    group = (
        f'<g class="stance" data-iri="{esc(stance.iri)}" data-holder="{esc(stance.holder)}">'
        f"<title>{esc(stance.holder_label)}: {esc(stance.position_label)} ({esc(when)})</title>{mark}"
        f'<text x="{text_x:.1f}" y="{mid + 4:.1f}" font-size="11">{esc(stance.holder_label)}</text></g>'
    )
    return f'<a href="{esc(href)}">{group}</a>' if href else group
