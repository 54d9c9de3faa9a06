"""The pictures' layout and drawing, without a graph: pure functions of their inputs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from server.pictures import family_tree, positions, timeline
from server.pictures.family_tree import Edge, layers, order
from server.pictures.svg import esc, wrap, year_of
from tkg.lineage import Step

SVG = "{http://www.w3.org/2000/svg}"


def test_layers_are_longest_paths_and_a_cycle_terminates() -> None:
    edges = [Edge("a", "b"), Edge("b", "c"), Edge("a", "c"), Edge("c", "d")]
    assert layers(["a", "b", "c", "d"], edges) == {"a": 0, "b": 1, "c": 2, "d": 3}
    cyclic = layers(["x", "y"], [Edge("x", "y"), Edge("y", "x")])
    assert max(cyclic.values()) <= 2


def test_order_puts_children_under_their_parents() -> None:
    edges = [Edge("left", "l1"), Edge("right", "r1"), Edge("left", "l2")]
    layer = {"left": 0, "right": 0, "r1": 1, "l1": 1, "l2": 1}
    rows = order(layer, edges, {"left": 1930, "right": 1940, "r1": 1941, "l1": 1931, "l2": 1932})
    assert rows[0] == ["left", "right"]
    assert rows[1].index("r1") == 2


def test_wrap_ellipses_and_year_of_reads_every_precision() -> None:
    assert wrap("one two three four five six", 9, 2) == ["one two", "three…"]
    dates = ("1930", "1930-04", "1930-04-06", None, "x")
    assert [year_of(d) for d in dates] == [1930, 1930, 1930, None, None]
    assert esc('<a href="x">\'') == "&lt;a href=&quot;x&quot;&gt;&#39;"


def test_the_timeline_is_valid_svg_with_escaped_labels_and_links() -> None:
    events = [
        timeline.Event("e1", "Founding <of> the ILO", "Founding", "1930-04-06"),
        timeline.Event("e2", "Split", "Split", "1953"),
    ]
    svg = timeline.render(events, {"e1": "/id/event/e1"}, "Events")
    root = ET.fromstring(svg)
    text = "".join(root.itertext())
    assert "Founding <of> the ILO" in text and "1953" in text
    hrefs = [el.get("href") for el in root.iter() if el.get("href")]
    assert hrefs == ["/id/event/e1"]


def test_the_family_tree_draws_every_organisation_once_with_its_link() -> None:
    tkg = "https://w3id.org/trotskyism/ontology#"
    steps = [
        Step(child="b", parent="a", event="e1", date="1953", event_class=tkg + "Split"),
        Step(child="c", parent="b", event="e2", date="1963", event_class=tkg + "Fusion"),
    ]
    svg = family_tree.render("b", {"a": "Alpha", "b": "Beta & co", "c": "Gamma"}, steps, {"a": "/id/org/a"})
    root = ET.fromstring(svg)
    nodes = [g for g in root.iter(SVG + "g") if "node" in (g.get("class") or "")]
    assert sorted(g.get("data-iri") for g in nodes) == ["a", "b", "c"]
    focus = [g.get("data-iri") for g in nodes if "focus" in (g.get("class") or "")]
    assert focus == ["b"]
    assert [a.get("href") for a in root.iter(SVG + "a")] == ["/id/org/a"]
    assert "Beta & co" in "".join(root.itertext())


def test_the_positions_chart_lists_its_concepts() -> None:
    stance = positions.Stance("s1", "h1", "Trotsky", "p1", "Degenerated workers' state", "1936", None, None)
    svg = positions.render([stance], [("p1", "Degenerated workers' state"), ("p2", "State capitalism")], {})
    text = "".join(ET.fromstring(svg).itertext())
    assert "Trotsky" in text and "State capitalism" in text
