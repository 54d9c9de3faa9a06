"""An in-process cache of serialised SPARQL answers, keyed by the answer's ETag.

The store is read-only and versioned, so an answer never goes stale while the
process lives: the ETag already hashes the dataset version, the query, the
protocol dataset and the media type. A repeated query then costs a dictionary
lookup instead of a round trip to a query process, and a repeated gzip request
costs no compression either: the gzipped body is kept beside the plain one
(see ``compression.py``). Bounded by bytes (least recently used answers go
first); ``TKG_ANSWER_CACHE_MB=0`` turns it off.

An answer is kept from its second request on (:class:`Seen`): researchers send
many texts once, and a one-off text then costs no copy and no insert, nor does
it push out an answer that is asked for again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Response


@dataclass
class Entry:
    """One answer: its media type, its body, and its gzipped body once a client asked for it."""

    key: str
    media_type: str
    body: bytes
    gzipped: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")

    def response(self) -> Response:
        """The answer as a response that the compression step recognises as cached."""
        response = Response(self.body, mimetype=self.media_type)
        if self.media_type.startswith("text/") or self.media_type.endswith(("json", "+xml")):
            response.headers["Content-Type"] = f"{self.media_type}; charset=utf-8"
        mark(response, self.key)
        return response


def mark(response: Response, key: str) -> None:
    """Tell the compression step that this response's body is cached under ``key``."""
    response.answer_cache_key = key  # type: ignore[attr-defined]


def key_of(response: Response) -> str | None:
    return getattr(response, "answer_cache_key", None)


class Seen:
    """The keys asked for once already, so that a cache keeps an answer from its second request on.

    Only hashes are kept, at most ``most`` of them (about 1 MB; then they are all forgotten at
    once): a collision merely keeps an answer one request early, and forgetting delays one by a
    request.

    >>> seen = Seen()
    >>> seen.again("ASK {}"), seen.again("ASK {}"), seen.again("ASK { ?s ?p ?o }")
    (False, True, False)
    """

    def __init__(self, most: int = 16_384) -> None:
        self.most = most
        self._hashes: set[int] = set()

    def again(self, key: Hashable) -> bool:
        """Whether ``key`` was asked for before (it is remembered if not)."""
        hashed = hash(key)
        hashes = self._hashes
        if hashed in hashes:
            return True
        if len(hashes) >= self.most:
            hashes.clear()
        hashes.add(hashed)
        return False


class AnswerCache:
    """A thread-safe LRU of ``etag -> Entry`` holding at most ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.compressions = 0
        self._seen = Seen()

    def get(self, etag: str) -> Entry | None:
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
            entry = Entry(etag, media_type, body)
            self._entries[etag] = entry
            self._bytes += entry.size
            self._evict()

    def offer(self, etag: str, media_type: str, body: bytes) -> bool:
        """:meth:`put` the answer if ``etag`` was asked for before; whether it is kept."""
        if not self._seen.again(etag):
            return False
        self.put(etag, media_type, body)
        return True

    def gzipped(self, etag: str, compress: Callable[[], bytes]) -> bytes:
        """The gzipped body of a cached answer: compressed once, then kept with it."""
        with self._lock:
            entry = self._entries.get(etag)
            if entry is not None and entry.gzipped is not None:
                return entry.gzipped
        data = compress()
        with self._lock:
            self.compressions += 1
            entry = self._entries.get(etag)
            if entry is not None and entry.gzipped is None:
                entry.gzipped = data
                self._bytes += len(data)
                self._evict()
        return data

    def _evict(self) -> None:
        while self._bytes > self.max_bytes and self._entries:
            _old, entry = self._entries.popitem(last=False)
            self._bytes -= entry.size
