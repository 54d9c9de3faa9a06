"""The Flask app behind granian's RSGI interface: a request reaches a Python thread only once it is whole.

Granian's own WSGI interface calls the app as soon as the headers are in, so a
client that sends its body a byte a second holds a Python thread for as long
as it likes (granian has a header read timeout, none for bodies). Here the
body is read on the worker's event loop, under a size cap and a deadline,
and only then is the WSGI app run in a thread: slow clients cost a coroutine,
never one of the threads that run queries and pages.

A query request to ``/sparql`` is answered on the event loop too
(:mod:`server.fast_sparql`): its query process is awaited, not waited for in
a thread, and no Flask runs.

Before any of that, a GET or HEAD may be answered from the response cache
(:mod:`server.edge_cache`) on the event loop itself: a repeated request costs
no thread and no Flask.
"""

from __future__ import annotations

import asyncio
import io
import math
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .edge_cache import EdgeCache, Request, environ_name
from .fast_sparql import FastSparql

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Headers = list[tuple[str, str]]

_TIMEOUT_BODY = b"the request body did not arrive in time\n"
_HEADER_TOO_LARGE = b"a request header field is too large\n"
#: Bytes a header field's value may have (gunicorn's limit, which tkg served under before): then 431.
MAX_HEADER_FIELD = 8190


class Bridge:
    """An RSGI application running a WSGI application in a bounded pool of threads."""

    def __init__(
        self,
        app: WSGIApp,
        threads: int,
        max_body: int,
        body_timeout: float,
        script_name: str = "",
        cache_bytes: int = 0,
        cache_lifetime: float = math.inf,
        fast: FastSparql | None = None,
    ) -> None:
        """``script_name``: the URL prefix the service is mounted under (WSGI's ``SCRIPT_NAME``);
        ``cache_bytes``: the bound of the response cache (0: none); ``cache_lifetime``: the longest
        it keeps an answer; ``fast``: the ``/sparql`` query requests answered on the event loop."""
        self.app = app
        self.script_name = script_name.rstrip("/")
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="tkg-request")
        self.cache = EdgeCache(cache_bytes, cache_lifetime) if cache_bytes > 0 else None
        self.fast = fast

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return
        fields = _header_fields(scope)
        if fields is None:
            proto.response_bytes(431, [("content-type", "text/plain; charset=utf-8")], _HEADER_TOO_LARGE)
            return
        cache, request = self.cache, None
        if cache is not None:
            target = (
                scope.method,
                scope.scheme,
                scope.http_version,
                scope.server,
                fields.get("HTTP_HOST"),
                self.script_name,
                scope.path,
                scope.query_string,
            )
            request = Request(target, fields)
            answer = cache.answer(request)
            if answer is not None:
                proto.response_bytes(*answer)
                return
        body = await self._body(scope, proto) if _has_body(scope.headers) else b""
        if body is None:
            proto.response_bytes(
                408, [("content-type", "text/plain; charset=utf-8"), ("connection", "close")], _TIMEOUT_BODY
            )
            return
        fast = self.fast
        answer = await fast.answer(scope, fields, body) if fast is not None and fast.takes(scope) else None
        if answer is None:
            environ = _environ(scope, body, self.script_name, fields)
            loop = asyncio.get_running_loop()
            answer = await loop.run_in_executor(self.pool, self._call, environ)
        status, headers, content = answer
        if cache is not None and request is not None:  # a miss: kept if asked again and it may be given again
            cache.offer(request, status, headers, content)
        proto.response_bytes(status, headers, content)

    def __rsgi_del__(self, loop: Any) -> None:
        """Granian stops the worker: let the running requests finish, then free the threads."""
        self.pool.shutdown(wait=True)
        if self.cache is not None:
            print(f"tkg response cache: {self.cache.stats}", file=sys.stderr, flush=True)
        if self.fast is not None:
            print(f"tkg /sparql fast path: {self.fast.stats}", file=sys.stderr, flush=True)

    async def _body(self, scope: Any, proto: Any) -> bytes | None:
        """The whole body of a request that :func:`_has_body` (at most ``max_body + 1`` bytes, enough for
        the app's 413), or None if late."""
        headers = scope.headers
        length = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if not chunked and int(length) > self.max_body:
            return b""  # the app answers 413 from Content-Length alone
        received = bytearray()
        try:
            async with asyncio.timeout(self.body_timeout):
                async for chunk in proto:
                    received += chunk
                    if len(received) > self.max_body:
                        break
        except TimeoutError:
            return None
        return bytes(received)

    def _call(self, environ: dict[str, Any]) -> tuple[int, Headers, bytes]:
        started: list[Any] = []

        def start_response(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            started[:] = [status, headers]
            return _no_write

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return int(started[0][:3]), started[1], content


def _has_body(headers: Any) -> bool:
    """Whether a request announces a body: chunked, or a positive ``Content-Length`` (decided without a
    coroutine: most requests are GETs without one)."""
    length = headers.get("content-length")
    if length is not None and length.isascii() and length.isdigit() and int(length) > 0:
        return True
    encoding = headers.get("transfer-encoding")
    return encoding is not None and "chunked" in encoding.lower()


def _no_write(data: bytes) -> None:
    raise NotImplementedError("write() is not supported: return the body")


def _header_fields(scope: Any) -> dict[str, str] | None:
    """The request's header fields as WSGI environ keys (repeated fields joined), None if one is too large."""
    fields: dict[str, str] = {}
    for name, value in scope.headers.items():
        if len(value) > MAX_HEADER_FIELD:
            return None
        key = environ_name(name)
        fields[key] = f"{fields[key]},{value}" if key in fields else value
    return fields


def _environ(
    scope: Any, body: bytes, script_name: str = "", fields: dict[str, str] | None = None
) -> dict[str, Any]:
    """The WSGI environ (PEP 3333) of an RSGI scope whose body has arrived; ``fields``: its headers'."""
    host, _, port = scope.server.rpartition(":")
    client, _, client_port = scope.client.rpartition(":")
    # RSGI decodes the path as UTF-8; WSGI wants its bytes as latin-1
    path = scope.path.encode("utf-8").decode("latin-1")
    if script_name and (path == script_name or path.startswith(script_name + "/")):
        path = path[len(script_name) :] or "/"
    else:
        script_name = ""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": host,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": client,
        "REMOTE_PORT": client_port,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if fields is None:
        fields = _header_fields(scope) or {}
    environ.update(fields)
    if environ.pop("HTTP_TRANSFER_ENCODING", None) is not None:  # de-chunked: its length is known now
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ
