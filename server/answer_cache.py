"""An in-process cache of serialised SPARQL answers, keyed by the answer's ETag.

The store is read-only and versioned, so an answer never goes stale while the
process lives: the ETag already hashes the dataset version, the query, the
protocol dataset and the media type. A repeated query then costs a dictionary
lookup instead of a round trip to a query process. Bounded by bytes (least
recently used answers go first); ``TKG_ANSWER_CACHE_MB=0`` turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class AnswerCache:
    """A thread-safe LRU of ``etag -> (media type, body)`` holding at most ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, etag: str) -> tuple[str, bytes] | None:
        with self._lock:
            entry = self._entries.get(etag)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(etag)
            self.hits += 1
            return entry

    def put(self, etag: str, media_type: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:  # a huge answer would evict everything else
            return
        with self._lock:
            if etag in self._entries:
                return
            self._entries[etag] = (media_type, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _old, (_m, old_body) = self._entries.popitem(last=False)
                self._bytes -= len(old_body)
