"""A small graph in pyoxigraph's in-memory store, behind the store interface's ``query``."""

from __future__ import annotations

import pyoxigraph as ox

from tkg.store import Result


class MemoryStore:
    """Enough of :class:`tkg.store.GraphStore` for the modules that only read solutions."""

    def __init__(self, turtle: str) -> None:
        self._store = ox.Store()
        self._store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)

    def query(self, sparql: str, *args: object, **kwargs: object) -> Result:
        raw = self._store.query(sparql)
        assert isinstance(raw, ox.QuerySolutions)
        return Result("bindings", raw)
