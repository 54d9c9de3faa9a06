"""The family tree of an organisation: its ancestors above, its descendants below.

Nodes are organisations, edges are lineage steps labelled with the kind of
event and its year; a pair of organisations linked by several events (the
articles disagree on a date) gets one edge with every date. Layers are the
longest path from the oldest ancestors, and the order within a layer is
improved by a few barycentre sweeps (the usual Sugiyama heuristic).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tkg.lineage import Step, kind_of

from .svg import KIND_STYLES, document, esc, style, wrap, year_of

NODE_W, NODE_H, GAP_X, LAYER_H, MARGIN, LEGEND_H = 190, 54, 30, 120, 20, 34


@dataclass
class Edge:
    """The steps (events) from one organisation to another, drawn as one arrow."""

    parent: str
    child: str
    steps: list[Step] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.kinds[0]

    @property
    def label(self) -> str:
        dates = sorted({s.date for s in self.steps if s.date})
        kinds = sorted(set(self.kinds))
        when = " / ".join(dates) if len(dates) <= 2 else f"{dates[0]}…{dates[-1]}"
        return f"{'/'.join(kinds)} {when}".strip()


def layers(nodes: list[str], edges: list[Edge]) -> dict[str, int]:
    """Longest path from a root, bounded so that a cycle in the data cannot loop forever."""
    layer = dict.fromkeys(nodes, 0)
    for _ in range(len(nodes)):
        changed = False
        for edge in edges:
            if layer[edge.child] < layer[edge.parent] + 1 <= len(nodes):
                layer[edge.child] = layer[edge.parent] + 1
                changed = True
        if not changed:
            break
    return layer


def order(layer: dict[str, int], edges: list[Edge], first_year: dict[str, int]) -> list[list[str]]:
    """Nodes per layer, ordered to keep edges short: by year, then barycentre sweeps."""
    rows: dict[int, list[str]] = defaultdict(list)
    for node in sorted(layer, key=lambda n: (first_year.get(n, 9999), n)):
        rows[layer[node]].append(node)
    result = [rows[i] for i in sorted(rows)]
    parents, children = defaultdict(list), defaultdict(list)
    for edge in edges:
        parents[edge.child].append(edge.parent)
        children[edge.parent].append(edge.child)
    for sweep in range(4):
        down = sweep % 2 == 0
        indices = range(1, len(result)) if down else range(len(result) - 2, -1, -1)
        for i in indices:
            ref = {n: k for k, n in enumerate(result[i - 1 if down else i + 1])}
            links = parents if down else children

            row = result[i]

            def centre(node: str, ref: dict[str, int] = ref, links: dict = links, row: list = row) -> float:
                near = [ref[n] for n in links[node] if n in ref]
                return sum(near) / len(near) if near else float(row.index(node))

            result[i] = sorted(row, key=centre)
    return result


def render(focus: str, labels: dict[str, str], steps: list[Step], links: dict[str, str]) -> str:
    """The SVG of ``steps`` (see :meth:`tkg.lineage.Lineage.family`).

    ``labels`` names every organisation, event and event class; ``links`` maps IRIs to page paths.
    """
    edges_by_pair: dict[tuple[str, str], Edge] = {}
    for step in steps:
        edge = edges_by_pair.setdefault((step.parent, step.child), Edge(step.parent, step.child))
        edge.steps.append(step)
        edge.kinds.append(kind_of(step, labels))
    edges = list(edges_by_pair.values())
    nodes = sorted({focus, *(e.parent for e in edges), *(e.child for e in edges)})
    first_year: dict[str, int] = {}
    for step in steps:
        year = year_of(step.date)
        if year is not None:
            first_year[step.child] = min(first_year.get(step.child, year), year)
    rows = order(layers(nodes, edges), edges, first_year)
    widest = max(len(r) for r in rows)
    width = max(widest * (NODE_W + GAP_X) - GAP_X + 2 * MARGIN, 640)
    height = LEGEND_H + len(rows) * LAYER_H - (LAYER_H - NODE_H) + 2 * MARGIN
    pos: dict[str, tuple[float, float]] = {}
    for i, row in enumerate(rows):
        row_w = len(row) * (NODE_W + GAP_X) - GAP_X
        for k, node in enumerate(row):
            x = (width - row_w) / 2 + k * (NODE_W + GAP_X)
            pos[node] = (x, MARGIN + LEGEND_H + i * LAYER_H)
    body = [_legend(), _defs()]
    for edge in sorted(edges, key=lambda e: (pos[e.parent][1], pos[e.parent][0])):
        body.append(_edge(edge, pos, labels))
    for node in nodes:
        body.append(_node(node, pos[node], labels.get(node, node), links.get(node), node == focus))
    title = f"Family tree of {labels.get(focus, focus)}: ancestors above, descendants below"
    return document(width, height, body, title, "family-tree")


def _defs() -> str:
    markers = "".join(
        f'<marker id="arrow-{kind.lower()}" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse">'
        f'<path d="M0,0L10,5L0,10z" fill="{colour}"/></marker>'
        for kind, (colour, _dash) in [*KIND_STYLES.items(), ("other", style("other"))]
    )
    return f"<defs>{markers}</defs>"


def _legend() -> str:
    items, x = [], MARGIN
    for kind in ("Founding", "Split", "Fusion", "Renaming", "Expulsion"):
        colour, dash = style(kind)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        width = 4 if kind == "Fusion" else 2
        items.append(
            f'<g class="legend-item"><line x1="{x}" y1="{MARGIN}" x2="{x + 34}" y2="{MARGIN}" '
            f'stroke="{colour}" stroke-width="{width}"{dash_attr}/>'
            f'<text x="{x + 40}" y="{MARGIN + 4}">{esc(kind.lower())}</text></g>'
        )
        x += 120
    return '<g class="legend">' + "".join(items) + "</g>"


def _edge(edge: Edge, pos: dict[str, tuple[float, float]], labels: dict[str, str]) -> str:
    colour, dash = style(edge.kind)
    (px, py), (cx, cy) = pos[edge.parent], pos[edge.child]
    x1, y1, x2, y2 = px + NODE_W / 2, py + NODE_H, cx + NODE_W / 2, cy
    if y2 <= y1:  # only when the data has a cycle: go round the side
        y2 = cy + NODE_H
    mid_y = (y1 + y2) / 2
    path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid_y:.1f} {x2:.1f},{mid_y:.1f} {x2:.1f},{y2:.1f}"
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    width = 4 if edge.kind == "Fusion" else 2
    marker = edge.kind.lower() if edge.kind in KIND_STYLES else "other"
    tooltip = "; ".join(f"{labels.get(s.event, s.event)} ({s.date or 'undated'})" for s in edge.steps)
    lx, ly = (x1 + x2) / 2, mid_y + 4
    return (
        f'<g class="edge edge-{esc(edge.kind.lower())}" data-kind="{esc(edge.kind)}" '
        f'data-from="{esc(edge.parent)}" data-to="{esc(edge.child)}">'
        f"<title>{esc(tooltip)}</title>"
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{width}"{dash_attr} '
        f'marker-end="url(#arrow-{marker})"/>'
        f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" fill="{colour}" stroke="#fff" '
        f'stroke-width="3" paint-order="stroke" font-size="11">{esc(edge.label)}</text></g>'
    )


def _node(iri: str, xy: tuple[float, float], label: str, href: str | None, focus: bool) -> str:
    x, y = xy
    lines = wrap(label, 28, 3)
    fill, stroke, width = ("#fff3b0", "#7a5c00", 3) if focus else ("#f4f6fb", "#2c3e80", 1.5)
    first = y + NODE_H / 2 - (len(lines) - 1) * 7 + 4
    texts = "".join(
        f'<text x="{x + NODE_W / 2:.1f}" y="{first + k * 14:.1f}" text-anchor="middle">{esc(line)}</text>'
        for k, line in enumerate(lines)
    )
    box = (
        f'<g class="node{" focus" if focus else ""}" data-iri="{esc(iri)}" data-label="{esc(label)}">'
        f"<title>{esc(label)}</title>"
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{width}"/>{texts}</g>'
    )
    return f'<a href="{esc(href)}">{box}</a>' if href else box
