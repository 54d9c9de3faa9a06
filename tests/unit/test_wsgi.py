"""``server/wsgi.py``'s steps that need no build or server."""

from __future__ import annotations

import gc
import weakref

from server.wsgi import settle_heap


def test_a_settled_heap_is_out_of_the_collector_s_reach_and_its_garbage_is_gone() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: garbage only the collector frees

    kept = [{"n": n} for n in range(20_000)]  # long-lived state, as a warm worker's
    garbage = weakref.ref(Node())
    try:
        settle_heap()
        assert gc.get_freeze_count() >= len(kept)
        assert len(gc.get_objects(generation=2)) < 1_000, "a full collection would still walk the heap"
        assert garbage() is None, "the garbage was frozen with the rest"
    finally:
        gc.unfreeze()
