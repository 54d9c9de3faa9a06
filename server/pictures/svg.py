"""Small helpers shared by the pictures: escaping, wrapping, the colours of event kinds."""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape as _escape

#: Stroke colour and dash pattern per kind of event: splits and fusions must look different.
KIND_STYLES: dict[str, tuple[str, str]] = {
    "Split": ("#c0392b", "7 4"),
    "Fusion": ("#1e8449", ""),
    "Founding": ("#2c3e80", ""),
    "Renaming": ("#7f8c8d", "2 3"),
    "Expulsion": ("#d35400", "9 3 2 3"),
    "Dissolution": ("#4a235a", "1 3"),
    "Affiliation": ("#117a65", ""),
    "Disaffiliation": ("#76448a", "4 2"),
    "Entry": ("#9a7d0a", ""),
    "Capitulation": ("#7b241c", ""),
}
DEFAULT_STYLE = ("#555555", "")
FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"


def esc(text: object) -> str:
    """Text safe inside an element or a double-quoted attribute."""
    return _escape(str(text), {'"': "&quot;", "'": "&#39;"})


def style(kind: str) -> tuple[str, str]:
    return KIND_STYLES.get(kind, DEFAULT_STYLE)


def wrap(text: str, width: int, lines: int) -> list[str]:
    """At most ``lines`` lines of about ``width`` characters, the last one ellipsed if cut."""
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


def document(width: float, height: float, body: list[str], title: str, css_class: str) -> str:
    """A standalone SVG document (also fit to be inlined in HTML)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{FONT}" font-size="12">'
        f"<title>{esc(title)}</title>" + "".join(body) + "</svg>"
    )


def year_of(date: str | None) -> int | None:
    """The year of an xsd:gYear, gYearMonth or date lexical form."""
    if not date:
        return None
    try:
        return int(date.lstrip("-")[:4])
    except ValueError:
        return None
