"""Why the reasoner says one organisation descends from another: the chain of events.

``tkg:derivedFrom`` is inferred from single lineage events (a resulting
organisation of a founding by regroupment, split, fusion, renaming or
expulsion derives from each original organisation) and ``tkg:descendsFrom``
is its transitive closure. A historian reading an inferred link wants the
events behind it, so this module rebuilds the one-step graph with its events
and finds, for any ancestor, the shortest chain of events that leads to it.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

import pyoxigraph as ox

from .reads import Reader, value


@dataclass(frozen=True)
class Step:
    """``child`` derives from ``parent`` through ``event`` (of class ``event_class``, on ``date``)."""

    child: str
    parent: str
    event: str
    date: str | None
    event_class: str | None


class Lineage:
    """The one-step lineage graph of a store, with the events behind each step."""

    def __init__(self, reader: Reader) -> None:
        steps: dict[tuple[str, str, str], Step] = {}
        for row in reader.select("lineage-steps"):
            child, parent, event = row["child"], row["parent"], row["event"]
            assert isinstance(child, ox.NamedNode) and isinstance(parent, ox.NamedNode)
            assert isinstance(event, ox.NamedNode | ox.BlankNode)
            key = (child.value, parent.value, event.value)
            cls = value(row, "class")
            if key in steps and (steps[key].event_class or cls is None):
                continue
            steps[key] = Step(*key, value(row, "date"), cls)
        self.up: dict[str, list[Step]] = defaultdict(list)
        for step in sorted(steps.values(), key=lambda s: (s.date or "9999", s.event)):
            self.up[step.child].append(step)

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
