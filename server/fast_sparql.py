"""``/sparql`` query requests answered on granian's event loop: no Flask, no werkzeug request, no thread.

The rules are :mod:`server.sparql_protocol`'s, the same that the Flask view
follows; this adapter only reads the RSGI scope into a
:class:`~server.sparql_protocol.Call`, awaits the query process through the
read path (:meth:`tkg.reads.Reader.answer_async`: the client's budget, the
time budget, the kill) and adds what the app's after-request steps add to
every answer of ``/sparql`` (CORS, the security headers, gzip). Whatever it
does not take is answered by the Flask app as before: the service
description, OPTIONS and HEAD, a ``Host`` the app refuses, a body over the
cap, a query from a client that prefers HTML (its failure would be a page), a
query request without a query (the service description), a remote store
(``TKG_STORE_URL``), and everything when ``TKG_FAST_SPARQL=0``.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

from flask import Flask
from werkzeug.sansio.utils import get_current_url, get_host

from tkg.config import Settings
from tkg.reads import Reader
from tkg.store import QueryError

from .clients import client_address
from .compression import MIN_SIZE, gzipped, wants_gzip
from .hosts import allowed
from .security import HEADERS as SECURITY
from .sparql_protocol import (
    CORS,
    UNEXPECTED,
    Call,
    Outcome,
    Protocol,
    Unresolved,
    plain,
    prefers_html,
    refused,
)

logger = logging.getLogger(__name__)
Headers = list[tuple[str, str]]
PATHS = ("/sparql", "/sparql/")
#: What the app's after-request steps add to every answer of ``/sparql`` (``Vary`` is merged).
EXTRA = [*CORS.items(), *SECURITY.items()]


@lru_cache(maxsize=64)
def host_url(scheme: str, host: str, server: str) -> str | None:
    """``scheme://host/`` as werkzeug makes it from the ``Host`` header (None: an invalid host)."""
    name, _, port = server.rpartition(":")
    found = get_host(scheme, host or None, (name, int(port) if port.isdigit() else None))
    return get_current_url(scheme, found) if found else None


class FastSparql:
    """The query protocol of one Flask app, reached from :class:`server.rsgi.Bridge` on its event loop."""

    def __init__(self, protocol: Protocol, reader: Reader, settings: Settings, script_name: str = "") -> None:
        self.protocol, self.reader, self.settings = protocol, reader, settings
        self.script_name = script_name.rstrip("/")
        self.paths = {self.script_name + path for path in PATHS}
        self.answered = self.handed = 0  # requests answered here, and handed to Flask

    @property
    def stats(self) -> str:
        """What it answered, and what the worker's pool of query processes did (for the exit line)."""
        pool = getattr(self.reader.runner, "counts", None)
        where = f"{self.answered} answered on the event loop, {self.handed} handed to Flask"
        return where if pool is None else f"{where}; query processes: {pool}"

    @classmethod
    def of(cls, app: Flask, script_name: str = "") -> FastSparql | None:
        """The fast path of ``app``, or None where it must not be taken (turned off, a remote store)."""
        settings: Settings = app.config["TKG_SETTINGS"]
        reader: Reader = app.extensions["tkg_reader"]
        if not settings.fast_sparql or settings.store_url or not reader.asynchronous:
            return None
        version = app.extensions["tkg_store"].version
        protocol = Protocol(settings, version, app.extensions.get("tkg_answer_cache"))
        return cls(protocol, reader, settings, script_name)

    def takes(self, scope: Any) -> bool:
        """Whether the request may be for this path (its headers and body decide the rest)."""
        return scope.method in ("GET", "POST") and scope.path in self.paths

    async def answer(
        self, scope: Any, fields: dict[str, str], body: bytes
    ) -> tuple[int, Headers, bytes] | None:
        """The answer to a request :meth:`takes`, or None: the Flask app answers it."""
        try:
            answer = await self._answer(scope, fields, body)
        except Exception:  # a bug of ours: logged, and answered as the app answers one
            logger.exception("unhandled error on the /sparql fast path")
            answer = self._finish(plain(500, UNEXPECTED), fields)
        if answer is None:
            self.handed += 1
        else:
            self.answered += 1
        return answer

    async def _answer(
        self, scope: Any, fields: dict[str, str], body: bytes
    ) -> tuple[int, Headers, bytes] | None:
        settings = self.settings
        host = fields.get("HTTP_HOST", "")
        if settings.public_url is None and not allowed(host, settings.allowed_hosts):
            return None
        length = fields.get("CONTENT_LENGTH", "")
        most = settings.max_body_bytes
        if len(body) > most or (length.isdigit() and int(length) > most):
            return None  # the app's 413
        try:
            query_string = scope.query_string.encode("latin-1")
        except UnicodeEncodeError:
            return None
        base = settings.public_url
        if base is None:
            found = host_url(scope.scheme, host, scope.server)
            if found is None:
                return None
            base = found.rstrip("/") + self.script_name
        accept = fields.get("HTTP_ACCEPT", "")
        call = Call(
            scope.method,
            query_string,
            body,
            base.rstrip("/") + scope.path[len(self.script_name) :],
            fields.get("CONTENT_TYPE", ""),
            accept,
            fields.get("HTTP_IF_NONE_MATCH", ""),
        )
        try:
            plan = self.protocol.plan(call, resolve=False)
        except Unresolved:  # its SERVICE hosts are looked up in a thread: DNS never holds the loop
            plan = await asyncio.get_running_loop().run_in_executor(None, self.protocol.plan, call)
        if plan is None:
            return None  # no query: the service description
        if isinstance(plan, Outcome):
            return self._finish(plan, fields)
        if prefers_html(accept):
            return None  # its failure would be a page
        forwarded = fields.get("HTTP_X_FORWARDED_FOR")
        peer = scope.client.rpartition(":")[0]
        client = client_address(peer, [forwarded] if forwarded else [], settings.trusted_proxies)
        try:
            answer = await self.reader.answer_async(
                plan.query, plan.media_types, dataset=plan.dataset, base_iri=plan.here, client=client
            )
        except QueryError as error:
            return self._finish(refused(error), fields)
        return self._finish(self.protocol.answered(plan, answer), fields)

    def _finish(self, outcome: Outcome, fields: dict[str, str]) -> tuple[int, Headers, bytes]:
        """The headers the app's after-request steps add, and gzip for a client that asks for it."""
        status, headers, body, key = outcome
        headers = [(n, "Accept, Accept-Encoding" if n == "Vary" else v) for n, v in headers]
        if status == 200 and wants_gzip(fields.get("HTTP_ACCEPT_ENCODING", "")) and len(body) >= MIN_SIZE:
            body = gzipped(body, key, self.protocol.cache)
            headers = [(n, f'{v[:-1]}-gzip"' if n == "ETag" else v) for n, v in headers]
            headers.append(("Content-Encoding", "gzip"))
        if status != 304:
            headers.insert(1, ("Content-Length", str(len(body))))
        headers += EXTRA
        return status, headers, body
