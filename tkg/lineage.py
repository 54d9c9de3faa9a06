"""The lineage of organisations: who derives from whom, through which events.

``tkg:derivedFrom`` is inferred from single lineage events (a resulting
organisation of a founding by regroupment, split, fusion, renaming or
expulsion derives from each original organisation) and ``tkg:descendsFrom``
is its transitive closure. A historian reading an inferred link wants the
events behind it, so this module rebuilds the one-step graph with its events,
once per store, and answers from it: the shortest chain of events between an
organisation and an ancestor (resource pages), and the whole family of an
organisation, its ancestors above and its descendants below (family trees).
It keeps the labels of the organisations, events and event classes it holds,
so that a picture needs nothing else.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from .describe import labels
from .namespaces import TKG
from .reads import Reader, value

LINEAGE_EVENT = str(TKG) + "LineageEvent"


@dataclass(frozen=True)
class Step:
    """``child`` derives from ``parent`` through ``event`` (of class ``event_class``, on ``date``)."""

    child: str
    parent: str
    event: str
    date: str | None
    event_class: str | None


def kind_of(step: Step, labels: dict[str, str]) -> str:
    """The kind of event behind a step, in words (``Split``), from the labels of the event classes."""
    if step.event_class is None:
        return "Lineage event"
    return labels.get(step.event_class) or step.event_class.rsplit("#", 1)[-1]


class Lineage:
    """The one-step lineage graph of a store, with the events behind each step and their labels."""

    def __init__(self, reader: Reader) -> None:
        steps: dict[tuple[str, str, str], Step] = {}
        for row in reader.select("lineage-steps"):
            child, parent, event = row["child"], row["parent"], row["event"]
            assert isinstance(child, ox.NamedNode) and isinstance(parent, ox.NamedNode)
            assert isinstance(event, ox.NamedNode | ox.BlankNode)
            key = (child.value, parent.value, event.value)
            cls = value(row, "class")
            cls = None if cls == LINEAGE_EVENT else cls  # a reflexive subClassOf says nothing
            date = value(row, "date")
            held = steps.get(key)
            if held is not None:  # several classes or dates: keep the first of each, in a stable order
                cls = min((c for c in (held.event_class, cls) if c), default=None)
                date = min((d for d in (held.date, date) if d), default=None)
            steps[key] = Step(*key, date, cls)
        self.up: dict[str, list[Step]] = defaultdict(list)
        self.down: dict[str, list[Step]] = defaultdict(list)
        for step in sorted(steps.values(), key=lambda s: (s.date or "9999", s.event, s.child, s.parent)):
            self.up[step.child].append(step)
            self.down[step.parent].append(step)
        named = {x for s in steps.values() for x in (s.child, s.parent, s.event, s.event_class) if x}
        self.labels: dict[str, str] = labels(reader, named)

    def label(self, iri: str) -> str | None:
        """The label of an organisation, event or event class of the lineage."""
        return self.labels.get(iri)

    def kind(self, step: Step) -> str:
        """The kind of event behind a step, in words (``Split``)."""
        return kind_of(step, self.labels)

    def chain(self, descendant: str, ancestor: str) -> list[Step]:
        """The shortest chain of steps from ``ancestor`` down to ``descendant`` (oldest first); [] if none."""
        came: dict[str, Step] = {}
        queue = deque([descendant])
        seen = {descendant}
        while queue:
            node = queue.popleft()
            if node == ancestor:
                path = []
                while node != descendant:
                    step = came[node]
                    path.append(step)
                    node = step.child
                return path
            for step in self.up.get(node, []):
                if step.parent not in seen:
                    seen.add(step.parent)
                    came[step.parent] = step
                    queue.append(step.parent)
        return []

    def ancestors(self, organisation: str) -> set[str]:
        """Every organisation ``organisation`` descends from (``tkg:descendsFrom``)."""
        return self._reach(organisation, self.up, lambda s: s.parent)

    def descendants(self, organisation: str) -> set[str]:
        """Every organisation that descends from ``organisation``."""
        return self._reach(organisation, self.down, lambda s: s.child)

    def family(self, organisation: str) -> list[Step]:
        """Every step among the ancestors of ``organisation`` down to it, and from it to its descendants."""
        above = {organisation, *self.ancestors(organisation)}
        below = {organisation, *self.descendants(organisation)}
        found = {s: None for node in above for s in self.up.get(node, [])}
        found.update({s: None for node in below for s in self.down.get(node, [])})
        return sorted(found, key=lambda s: (s.date or "9999", s.event, s.parent, s.child))

    @staticmethod
    def _reach(start: str, edges: dict[str, list[Step]], other: Callable[[Step], str]) -> set[str]:
        seen: set[str] = set()
        queue = deque([start])
        while queue:
            for step in edges.get(queue.popleft(), []):
                node = other(step)
                if node not in seen:
                    seen.add(node)
                    queue.append(node)
        return seen
