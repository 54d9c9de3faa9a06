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

from .namespaces import ORG, TKG
from .store import GraphStore

STEPS = f"""
PREFIX tkg: <{TKG}>
PREFIX org: <{ORG}>
SELECT DISTINCT ?child ?parent ?event ?date ?class WHERE {{
  ?event a tkg:LineageEvent ; org:originalOrganization ?parent ; org:resultingOrganization ?child .
  ?child tkg:derivedFrom ?parent .
  OPTIONAL {{ ?event tkg:date|tkg:from ?date }}
  OPTIONAL {{ ?event a ?class . ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf> tkg:LineageEvent }}
}}
"""


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

    def __init__(self, store: GraphStore) -> None:
        steps: dict[tuple[str, str, str], Step] = {}
        for row in store.query(STEPS).solutions():
            key = (row["child"].value, row["parent"].value, row["event"].value)
            cls = row["class"].value if row["class"] is not None else None
            if key in steps and (steps[key].event_class or cls is None):
                continue
            date = row["date"].value if row["date"] is not None else None
            steps[key] = Step(*key, date, cls)
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
