"""``server/fast_sparql.py`` through the RSGI bridge, against the same app through Flask's test client.

The bridge is driven as granian drives it (a scope, a protocol object) on uvloop,
over the real build: what the fast path answers must be what Flask answers, and
what it must not take (a refused ``Host``, a body over the cap, HEAD, a
browser's failure) must reach Flask.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import uvloop
from flask import Flask

from bench.inprocess import Proto, Scope
from server import create_app
from server.fast_sparql import FastSparql
from server.rsgi import Bridge
from tkg.config import Settings

Headers = list[tuple[str, str]]
SELECT = (
    "PREFIX tkg: <https://w3id.org/trotskyism/ontology#>\n"
    "SELECT ?d WHERE { ?d tkg:descendsFrom <https://w3id.org/trotskyism/id/org/fourth-international> }"
)
#: The headers the app's after-request steps decide, compared between the two paths.
COMPARED = (
    "content-type",
    "content-length",
    "etag",
    "vary",
    "cache-control",
    "content-encoding",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "x-frame-options",
)


class Body(Proto):
    """A protocol whose request body arrives in one chunk."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.chunks = [body] if body else []

    async def __anext__(self) -> bytes:
        if not self.chunks:
            raise StopAsyncIteration
        return self.chunks.pop()


@pytest.fixture(scope="module")
def app(real_build: Settings) -> Flask:
    return create_app(real_build)


@pytest.fixture(scope="module")
def bridge(app: Flask) -> Iterator[Bridge]:
    fast = FastSparql.of(app)
    assert fast is not None
    made = Bridge(app, threads=2, max_body=app.config["MAX_CONTENT_LENGTH"], body_timeout=5.0, fast=fast)
    yield made
    made.pool.shutdown(wait=True)


def through_bridge(
    bridge: Bridge, method: str, path: str, query: str = "", headers: Headers = (), body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    fields = [("host", "127.0.0.1:8000"), *headers]
    if body:
        fields.append(("content-length", str(len(body))))
    proto = Body(body)
    uvloop.run(bridge.__rsgi__(Scope(fields, method, path, query, host=None), proto))
    status, sent, content = proto.sent[0]
    return status, {name.lower(): value for name, value in sent}, content


def through_flask(
    app: Flask, method: str, path: str, query: str = "", headers: Headers = (), body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    response = app.test_client().open(
        f"{path}?{query}", method=method, headers=[("Host", "127.0.0.1:8000"), *headers], data=body
    )
    return response.status_code, {n.lower(): v for n, v in response.headers.items()}, response.data


def compared(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, dict[str, str | None], bytes]:
    status, headers, body = answer
    if headers.get("content-encoding") == "gzip":
        import gzip

        body = gzip.decompress(body)
        headers = {**headers, "content-length": "(gzip)"}
    return status, {name: headers.get(name) for name in COMPARED}, body


REQUESTS: list[tuple[str, str, str, Headers, bytes]] = [
    ("GET", "/sparql", urlencode({"query": SELECT}), [], b""),
    ("GET", "/sparql/", urlencode({"query": SELECT, "format": "csv"}), [], b""),
    ("GET", "/sparql", urlencode({"query": SELECT}), [("accept-encoding", "gzip")], b""),
    (
        "GET",
        "/sparql",
        urlencode({"query": SELECT + " LIMIT 1"}),
        [("accept", "application/sparql-results+xml")],
        b"",
    ),
    ("POST", "/sparql", "", [("content-type", "application/sparql-query")], SELECT.encode()),
    (
        "POST",
        "/sparql",
        "",
        [("content-type", "application/x-www-form-urlencoded")],
        urlencode({"query": SELECT}).encode(),
    ),
    ("GET", "/sparql", urlencode({"query": "CLEAR ALL"}), [], b""),
    ("GET", "/sparql", urlencode({"query": "SELECT * { ?s ?p }"}), [], b""),
    ("GET", "/sparql", urlencode({"query": SELECT}), [("accept", "image/png")], b""),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=[f"{r[0]} {r[3]} {r[2][:30]}" for r in REQUESTS])
def test_the_fast_path_answers_as_flask_does(
    app: Flask, bridge: Bridge, request_: tuple[str, str, str, Headers, bytes]
) -> None:
    assert bridge.fast is not None
    before = bridge.fast.answered
    fast = compared(through_bridge(bridge, *request_))
    assert bridge.fast.answered == before + 1, "the request went to Flask"
    assert fast == compared(through_flask(app, *request_))


@pytest.mark.parametrize(
    ("method", "query", "headers", "body", "status"),
    [
        ("GET", urlencode({"query": SELECT}), [("host", "evil.example")], b"", 400),  # the app's Host check
        ("HEAD", urlencode({"query": SELECT}), [], b"", None),  # whatever Flask says
        ("GET", "", [], b"", 200),  # the service description
        ("POST", "", [("content-type", "application/sparql-query")], b"#" * 200_000, 413),
        ("GET", urlencode({"query": "SELECT * { ?s ?p }"}), [("accept", "text/html,*/*;q=0.8")], b"", 400),
    ],
)
def test_what_the_fast_path_does_not_take_reaches_flask(
    bridge: Bridge, method: str, query: str, headers: Headers, body: bytes, status: int | None
) -> None:
    assert bridge.fast is not None
    before = bridge.fast.answered
    fields: list[Any] = (
        headers if any(n == "host" for n, _ in headers) else [("host", "127.0.0.1:8000"), *headers]
    )
    proto = Body(body)
    if body:
        fields.append(("content-length", str(len(body))))
    uvloop.run(bridge.__rsgi__(Scope(fields, method, "/sparql", query, host=None), proto))
    assert status is None or proto.sent[0][0] == status
    assert bridge.fast.answered == before, "the fast path answered what Flask should"
