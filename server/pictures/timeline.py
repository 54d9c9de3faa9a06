"""A timeline of events: years down the left, one line per event, coloured by kind.

A vertical list reads better than a horizontal axis when one year (1930, 1933)
holds a dozen events; years without events are skipped but marked.
"""

from __future__ import annotations

from dataclasses import dataclass

from .svg import document, esc, style, wrap, year_of

ROW_H, YEAR_H, MARGIN, TEXT_X, WIDTH = 18, 26, 16, 150, 900


@dataclass
class Event:
    iri: str
    label: str
    kind: str
    date: str


def render(events: list[Event], links: dict[str, str], title: str) -> str:
    """The SVG timeline of ``events`` (already in date order)."""
    body: list[str] = []
    y = MARGIN
    previous: int | None = None
    for event in events:
        year = year_of(event.date)
        if year != previous:
            if previous is not None and year is not None and year > previous + 1:
                body.append(
                    f'<text class="gap" x="{MARGIN}" y="{y + 12}" fill="#999">'
                    f"{esc(f'… {year - previous - 1} year(s) without events')}</text>"
                )
                y += ROW_H
            y += 6
            body.append(
                f'<text class="year" x="{MARGIN}" y="{y + 14}" font-size="15" font-weight="bold">'
                f"{esc(year if year is not None else 'undated')}</text>"
            )
            y += YEAR_H - ROW_H
            previous = year
        colour, _dash = style(event.kind)
        text = wrap(f"{event.label}", 110, 1)[0]
        href = links.get(event.iri)
        line = (
            f'<g class="event" data-iri="{esc(event.iri)}" data-kind="{esc(event.kind)}">'
            f"<title>{esc(event.label)} ({esc(event.date)}, {esc(event.kind.lower())})</title>"
            f'<circle cx="{TEXT_X - 60}" cy="{y + 8}" r="5" fill="{colour}"/>'
            f'<text x="{TEXT_X - 48}" y="{y + 12}" fill="{colour}" font-size="11">{esc(event.kind)}</text>'
            f'<text x="{TEXT_X + 40}" y="{y + 12}">{esc(event.date)}  {esc(text)}</text></g>'
        )
        body.append(f'<a href="{esc(href)}">{line}</a>' if href else line)
        y += ROW_H
    if not events:
        body.append(f'<text x="{MARGIN}" y="{MARGIN + 14}">No dated events in this span.</text>')
        y += ROW_H
    spine = (
        f'<line x1="{TEXT_X - 60}" y1="{MARGIN}" x2="{TEXT_X - 60}" y2="{y}" stroke="#ccc" stroke-width="2"/>'
    )
    return document(WIDTH, y + MARGIN, [spine, *body], title, "timeline")
