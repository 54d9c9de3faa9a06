"""An HTTP response cache in front of the app, answered on the worker's event loop.

A worker serves one read-only store for as long as it lives (a new build is
served by a restart), so a response the app marked ``public`` with an ETag is
the answer to every later request that the app could not tell apart from the
first. The bridge (:mod:`server.rsgi`) asks this cache before it reads a body
or takes a thread: a hit costs a dictionary lookup and no Flask at all, which
is what lets a repeated query answer at the server's own speed.

What "could not tell apart" means here, with nothing normalised that the app
might see differently:

- the method (a HEAD is stored apart from its GET), the scheme, the HTTP
  version, the server address, the ``Host`` header (pages build absolute
  links from it), the script name, and the path and query string as the app
  receives them;
- the request headers the stored response ``Vary``s on, compared as the app
  reads them from its WSGI environ (``HTTP_ACCEPT``: repeated fields joined
  with commas, and ``Accept_Encoding`` is the same key as ``Accept-Encoding``).

Stored: 200 responses to GET and HEAD whose ``Cache-Control`` says ``public``
with a ``max-age`` (or ``s-maxage``), that carry one ETag, set no cookie and
do not ``Vary: *``; kept no longer than that age, least recently used first
out once the bytes exceed the bound. Requests with a body, credentials or
``Cache-Control: no-store`` neither read nor fill the cache; ``no-cache``,
``Pragma: no-cache``, other conditionals than ``If-None-Match`` and ranges go
to the app (whose 200 then refreshes the entry). ``If-None-Match`` matching the
stored ETag is answered 304 with the stored headers less the entity headers,
as werkzeug strips them from a 304.

The bridge offers every answer (:meth:`EdgeCache.offer`) and one is kept from the
second request of its target on: a text sent once costs no copy, no header
parsing and no insert, and does not push out an answer that is asked for again.

The cache is only touched from the worker's event loop, so it takes no lock.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from werkzeug.http import parse_dict_header, parse_etags, remove_entity_headers, unquote_etag

from .answer_cache import Seen

Headers = list[tuple[str, str]]
#: ``(method, scheme, HTTP version, server address, Host, script name, path, query string)``
Target = tuple[str, str, str, str, str | None, str, str, str]
Answer = tuple[int, Headers, bytes]

#: A request with one of these neither reads nor fills the cache: it has a body, or credentials.
PASSED = frozenset(
    (
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "HTTP_TRANSFER_ENCODING",
        "HTTP_AUTHORIZATION",
        "HTTP_PROXY_AUTHORIZATION",
    )
)
#: A request with one of these is answered by the app: it may want more than the stored 200.
NOT_LOOKED_UP = frozenset(
    ("HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
)
_SPECIAL = PASSED | NOT_LOOKED_UP | {"HTTP_CACHE_CONTROL", "HTTP_PRAGMA"}
#: Bytes an entry costs beyond its body and header text (objects, key, dictionary slots): a guess.
OVERHEAD = 512


@lru_cache(maxsize=1024)
def environ_name(field_name: str) -> str:
    """The key a request header field has in a WSGI environ (PEP 3333).

    >>> environ_name("accept-encoding"), environ_name("Accept_Encoding"), environ_name("content-type")
    ('HTTP_ACCEPT_ENCODING', 'HTTP_ACCEPT_ENCODING', 'CONTENT_TYPE')
    """
    key = field_name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key


@dataclass(frozen=True, slots=True)
class Request:
    """What of a request can pick its answer."""

    target: Target
    #: The header fields as the app reads them from its environ: ``{"HTTP_ACCEPT": "a,b"}``.
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Entry:
    headers: Headers
    body: bytes
    #: The ETag's opaque tag, unquoted, for ``If-None-Match``.
    tag: str
    #: The headers of a 304 for this entry.
    not_modified: Headers
    stored: float
    expires: float
    size: int


@dataclass
class Stats:
    hits: int = 0
    not_modified: int = 0
    misses: int = 0
    stored: int = 0
    passed: int = 0
    evicted: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in vars(self).items())


@dataclass
class EdgeCache:
    """An LRU of whole responses, at most ``max_bytes``, keyed by target and the varied headers."""

    max_bytes: int
    #: Seconds an entry is kept at most, whatever its max-age: over a remote store, the time within
    #: which a front end must follow a push (``TKG_STORE_VERSION_TTL``).
    max_lifetime: float = math.inf
    clock: Callable[[], float] = time.monotonic
    stats: Stats = field(default_factory=Stats)
    size: int = 0
    #: ``(target, varied header keys, their values) -> Entry``, least recently used first.
    _entries: OrderedDict[tuple[Target, tuple[str, ...], tuple[str | None, ...]], Entry] = field(
        default_factory=OrderedDict
    )
    #: The header keys the last stored response of each target varies on, and how many entries it has.
    _vary: dict[Target, tuple[str, ...]] = field(default_factory=dict)
    _count: dict[Target, int] = field(default_factory=dict)
    _seen: Seen = field(default_factory=Seen)

    def __len__(self) -> int:
        return len(self._entries)

    def answer(self, request: Request) -> Answer | None:
        """The stored answer to ``request`` (a 200, or a 304 to its ``If-None-Match``), or None."""
        headers = request.headers
        max_age = math.inf
        if not _SPECIAL.isdisjoint(headers):
            accepted = _lookup_max_age(headers)
            if accepted is None:
                self.stats.passed += 1
                return None
            max_age = accepted
        target = request.target
        names = self._vary.get(target)
        if names is None:
            self.stats.misses += 1
            return None
        key = (target, names, tuple([headers.get(name) for name in names]))
        entry = self._entries.get(key)
        if entry is None:
            self.stats.misses += 1
            return None
        now = self.clock()
        if now >= entry.expires:
            self._drop(key)
            self.stats.misses += 1
            return None
        if now - entry.stored > max_age:
            self.stats.passed += 1  # older than the client accepts: the app answers, and refreshes
            return None
        self._entries.move_to_end(key)
        condition = headers.get("HTTP_IF_NONE_MATCH")
        if condition is not None and parse_etags(condition).contains_weak(entry.tag):
            self.stats.not_modified += 1
            return 304, entry.not_modified, b""
        self.stats.hits += 1
        return 200, entry.headers, entry.body

    def offer(self, request: Request, status: int, headers: Headers, body: bytes) -> bool:
        """:meth:`store` the app's answer if its target was answered 200 before; whether it is kept."""
        if status != 200 or not self._seen.again(request.target):
            return False
        return self.store(request, status, headers, body)

    def store(self, request: Request, status: int, headers: Headers, body: bytes) -> bool:
        """Keep the app's answer to ``request`` if it may be given to every request like it."""
        if status != 200 or request.target[0] not in ("GET", "HEAD") or not _storable(request.headers):
            return False
        fields: dict[str, list[str]] = {}
        for name, value in headers:
            fields.setdefault(name.lower(), []).append(value)
        lifetime = _shared_lifetime(fields)
        etags = fields.get("etag", [])
        if lifetime is None or "set-cookie" in fields or len(etags) != 1:
            return False
        tag, _weak = unquote_etag(etags[0])
        names = _varied(tuple(fields.get("vary", ())))
        if not tag or names is None:
            return False
        values = tuple([request.headers.get(name) for name in names])
        not_modified = list(headers)
        remove_entity_headers(not_modified)
        size = (
            OVERHEAD
            + len(body)
            + sum([len(n) + len(v) for n, v in headers]) * 2
            + sum([len(part) for part in request.target if part])
            + sum([len(n) + len(v or "") for n, v in zip(names, values, strict=True)])
        )
        if size > self.max_bytes // 4:  # a huge answer would evict everything else
            return False
        target = request.target
        key = (target, names, values)
        if key in self._entries:
            self._drop(key)
        now = self.clock()
        expires = now + min(lifetime, self.max_lifetime)
        self._entries[key] = Entry(headers, body, tag, not_modified, now, expires, size)
        self._vary[target] = names
        self._count[target] = self._count.get(target, 0) + 1
        self.size += size
        self.stats.stored += 1
        while self.size > self.max_bytes and self._entries:
            self._drop(next(iter(self._entries)))
            self.stats.evicted += 1
        return True

    def _drop(self, key: tuple[Target, tuple[str, ...], tuple[str | None, ...]]) -> None:
        entry = self._entries.pop(key)
        self.size -= entry.size
        target = key[0]
        self._count[target] -= 1
        if not self._count[target]:
            del self._count[target], self._vary[target]


@lru_cache(maxsize=256)
def _varied(vary: tuple[str, ...]) -> tuple[str, ...] | None:
    """The environ keys of the request headers a response ``Vary``s on, sorted (None: ``Vary: *``)."""
    varied = [name.strip() for value in vary for name in value.split(",")]
    if "*" in varied:
        return None
    return tuple(sorted({environ_name(name) for name in varied if name}))


@lru_cache(maxsize=256)
def _directives(value: str | None) -> Mapping[str, str | None]:
    """``Cache-Control`` as lower-case directive names and their values (memoised: a handful of
    values recur, and parsing one cost a miss more than its lookup)."""
    return MappingProxyType({name.lower(): v for name, v in parse_dict_header(value or "").items()})


def _seconds(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _storable(headers: Mapping[str, str]) -> bool:
    """Whether the answer to a request with these header fields may be kept for others."""
    if not PASSED.isdisjoint(headers):
        return False
    return "no-store" not in _directives(headers.get("HTTP_CACHE_CONTROL"))


def _lookup_max_age(headers: Mapping[str, str]) -> float | None:
    """Seconds old an entry may be for a request with these (unusual) fields; None: ask the app.

    Only ``Cache-Control: max-age=N`` is understood; any other directive, a
    ``Pragma: no-cache`` without ``Cache-Control``, a body, credentials, a range or
    a conditional other than ``If-None-Match`` sends the request to the app.
    """
    if not PASSED.isdisjoint(headers) or not NOT_LOOKED_UP.isdisjoint(headers):
        return None
    control = headers.get("HTTP_CACHE_CONTROL")
    if control is None:
        return None if "no-cache" in headers.get("HTTP_PRAGMA", "").lower() else math.inf
    directives = _directives(control)
    if set(directives) != {"max-age"}:
        return None
    return _seconds(directives["max-age"])


def _shared_lifetime(fields: Mapping[str, list[str]]) -> int | None:
    """Seconds a shared cache may keep a response with these fields, or None if it may not."""
    directives = _directives(", ".join(fields.get("cache-control", [])))
    if "public" not in directives or not {"private", "no-store", "no-cache"}.isdisjoint(directives):
        return None
    lifetime = _seconds(directives.get("s-maxage", directives.get("max-age")))
    return lifetime if lifetime else None
