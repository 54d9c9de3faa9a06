"""A web worker's RSGI application called in this process, as granian calls it, without granian.

:mod:`bench.cpu` drives one worker this way to read its CPU clock, and the tests of the bridge and of
the ``/sparql`` fast path drive it the same way: a :class:`Scope` (what granian parsed of the request)
and a :class:`Proto` (where the answer is sent, and the request body read from), with granian's
attribute names and nothing else.
"""

from __future__ import annotations

from typing import Any

Headers = list[tuple[str, str]]


class Fields:
    """A request's header fields in order, with the lookups the bridge makes of granian's headers."""

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self.fields = fields

    def items(self) -> list[tuple[str, str]]:
        return list(self.fields)

    def values(self) -> list[str]:
        return [v for _n, v in self.fields]

    def get(self, name: str, default: Any = None) -> Any:
        return next((v for n, v in self.fields if n == name), default)


class Scope:
    """An RSGI scope: the method, path, query string and header fields of one request."""

    proto = "http"
    scheme = "http"
    http_version = "1.1"
    server = "127.0.0.1:8000"
    client = "127.0.0.1:5000"

    def __init__(
        self,
        fields: list[tuple[str, str]],
        method: str = "GET",
        path: str = "/sparql",
        query_string: str = "query=ASK",
        host: str | None = "kg.example",
    ) -> None:
        """``host`` (None: none added) goes before ``fields``."""
        self.method, self.path, self.query_string = method, path, query_string
        self.headers = Fields([("host", host), *fields] if host is not None else list(fields))


class Proto:
    """An RSGI protocol object without a request body, keeping what the app sent (``sent``)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, Headers, bytes]] = []

    def response_bytes(self, status: int, headers: Headers, body: bytes) -> None:
        self.sent.append((status, headers, body))

    def __aiter__(self) -> Proto:
        return self

    async def __anext__(self) -> bytes:
        raise StopAsyncIteration
