"""The SPARQL 1.1 query protocol, once, for any front: a request value in, ``(status, headers, body)`` out.

``/sparql`` is reached two ways: through Flask (WSGI, the test client, and any
request the fast path does not take) and, under ``tkg serve``, straight from
granian's event loop (:mod:`server.fast_sparql`), where a query request costs
no Flask, no werkzeug request and no thread. Both call this module, so the
rules are written once: the method and content-type rules, the refusal of
updates and of ``SERVICE``, the negotiation of the answer's format from
``Accept`` or ``format=`` (memoised per header value), the ETag and its 304,
the answer cache, the error statuses and their sentences.

Running the query is the caller's part (the Flask view waits for it in its
thread, the fast path awaits it on the loop): :meth:`Protocol.plan` says what
to run (or answers at once), :meth:`Protocol.answered` and
:func:`refused` turn its answer or its failure into a response.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401 (registers the "werkzeug.url_quote" codec error handler)
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_etags, parse_options_header

from tkg.config import Settings
from tkg.executor import Answer
from tkg.service_addresses import refused_addresses
from tkg.sparql_text import refused_services, shape
from tkg.store import RESULT_FORMATS, Dataset, Kind, QueryError

from .answer_cache import AnswerCache
from .negotiation import choose

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only."
#: The answer to a failure of ours: no stack trace, no file path.
UNEXPECTED = "500 Internal Server Error: the server failed to answer; this is our fault."
#: Any web page may query the endpoint: it is public and read-only.
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Content-Type, Retry-After",
}

Headers = list[tuple[str, str]]


class Outcome(NamedTuple):
    """A response: ``cache_key`` names the answer-cache entry its body is (for the gzip it keeps)."""

    status: int
    headers: Headers
    body: bytes
    cache_key: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """What of an HTTP request the protocol reads.

    ``query_string`` is as sent (percent-encoded); ``here`` is the endpoint's absolute URL, the
    base IRI of the query; the header values are ``""`` when the header is absent.
    """

    method: str
    query_string: bytes
    body: bytes
    here: str
    content_type: str = ""
    accept: str = ""
    if_none_match: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """A query to run and what its answer is to be: the media type per kind of result, its ETag."""

    query: str
    dataset: Dataset
    media_types: dict[Kind, str]
    etag: str
    here: str


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def plain(status: int, message: str, **headers: str) -> Outcome:
    """A status and one sentence in plain text (``Retry_After``: the ``Retry-After`` header)."""
    fields = [("Content-Type", "text/plain; charset=utf-8"), ("Vary", "Accept")]
    fields += [(name.replace("_", "-"), value) for name, value in headers.items()]
    return Outcome(status, fields, (message.rstrip() + "\n").encode())


def refused(error: QueryError) -> Outcome:
    """A query that failed, in plain text: its status and its sentence (a 503 or 429 says when to retry)."""
    headers = {"Retry_After": str(error.retry_after)} if error.retry_after else {}
    return plain(error.status, error.sentence(), **headers)


class _Params:
    """Request parameters in order, several values per name (``MultiDict``'s part that is used here)."""

    def __init__(self, *pairs: list[tuple[str, str]]) -> None:
        self.pairs = [pair for part in pairs for pair in part]

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.pairs if key == name), None)

    def __contains__(self, name: str) -> bool:
        return any(key == name for key, _ in self.pairs)


#: A ``%`` that does not start an escape; and the whitespace ``a2b_qp`` would treat as line ends.
_BAD_ESCAPE = re.compile(rb"%(?:[^0-9A-Fa-f]|.[^0-9A-Fa-f]|.?$)", re.DOTALL)
_WHITESPACE = b" \t\n\r\x0b\x0c"


def decoded(raw: bytes) -> list[tuple[str, str]]:
    """``a=1&b=2`` as pairs, as werkzeug reads URL parameters and forms (undecodable bytes stay quoted).

    The usual request (ASCII, every ``%`` an escape) is decoded in C by ``binascii.a2b_qp``
    (``%`` made ``=``): a query text of 500 characters in 6 µs instead of parse_qsl's 15-20;
    anything else goes to ``parse_qsl``, which werkzeug uses.

    >>> decoded(b"query=SELECT+%3Fs+%7B%7D&format=json&x")
    [('query', 'SELECT ?s {}'), ('format', 'json'), ('x', '')]
    """
    if not raw.isascii() or len(raw.translate(None, _WHITESPACE)) != len(raw) or _BAD_ESCAPE.search(raw):
        return parse_qsl(raw.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
    pairs = []
    for part in raw.split(b"&"):
        if part:
            name, _, value = part.partition(b"=")
            pairs.append((_unquoted(name), _unquoted(value)))
    return pairs


def _unquoted(text: bytes) -> str:
    if b"%" not in text and b"+" not in text:
        return text.decode()
    quoted_printable = text.replace(b"=", b"=3D").replace(b"%", b"=").replace(b"+", b"=20")
    return binascii.a2b_qp(quoted_printable).decode("utf-8", "werkzeug.url_quote")


@lru_cache(maxsize=256)
def content_type(value: str) -> tuple[str, str]:
    """The media type of a ``Content-Type`` (lower case) and its charset (lower case, utf-8 if unset)."""
    mimetype, options = parse_options_header(value)
    return mimetype.lower(), options.get("charset", "utf-8").lower()


@lru_cache(maxsize=1024)
def media_types(accept: str, format_param: str | None) -> dict[Kind, str]:
    """The media type to answer each kind of result in, for an ``Accept`` and a ``format=``."""
    parsed = parse_accept_header(accept, MIMEAccept)
    return {k: m for k in RESULT_FORMATS if (m := choose(parsed, RESULT_FORMATS[k], format_param))}


@lru_cache(maxsize=1024)
def prefers_html(accept: str) -> bool:
    """Whether a failure is shown to this client as a page (a browser) rather than a sentence."""
    best = parse_accept_header(accept, MIMEAccept).best_match(["text/plain", "text/html"])
    return best == "text/html"


def _read(call: Call) -> tuple[str | None, Dataset, _Params]:
    """The query, the protocol dataset and the parameters of the request (``None``: no query)."""
    try:
        args = _Params(decoded(call.query_string))
    except UnicodeDecodeError:
        raise ProtocolError(400, "The URL's query string is not valid UTF-8.") from None
    if call.method == "GET":
        params = args
        if len(params.pairs) == 1 and params.pairs[0][0] == "query":  # the common request: a query alone
            return params.pairs[0][1], _NO_DATASET, params
        if "update" in params:
            raise ProtocolError(405, READ_ONLY + " (And updates are never sent with GET.)")
        queries = params.getlist("query")
        return _one(queries), _dataset(params), params
    mimetype, charset = content_type(call.content_type)
    if mimetype == FORM:
        try:
            form = _Params(decoded(call.body))
        except UnicodeDecodeError:
            raise ProtocolError(400, "The form is not valid UTF-8.") from None
        params = _Params(args.pairs, form.pairs)  # the body, plus any dataset parameters in the URL
        if "update" in form:
            raise ProtocolError(403, READ_ONLY)
        queries = form.getlist("query")
        if "query" in args:
            raise ProtocolError(400, "Send the query in the body or in the URL, not both.")
    elif mimetype == DIRECT:
        params = args
        if charset not in ("utf-8", "utf8"):
            raise ProtocolError(415, f"A query must be sent as UTF-8, not {charset}.")
        try:
            queries = [call.body.decode("utf-8")]
        except UnicodeDecodeError:
            raise ProtocolError(400, "The query is not valid UTF-8.") from None
    elif mimetype == "application/sparql-update":
        raise ProtocolError(403, READ_ONLY)
    else:
        raise ProtocolError(
            415,
            f"Unsupported media type {mimetype or '(none)'}: POST a query as {FORM} "
            f"(query=...) or as {DIRECT}.",
        )
    return _one(queries), _dataset(params), params


_NO_DATASET = Dataset()


def _one(queries: list[str]) -> str | None:
    if len(queries) > 1:
        raise ProtocolError(400, "Exactly one query parameter is allowed.")
    return queries[0] if queries else None


def _dataset(params: _Params) -> Dataset:
    return Dataset(tuple(params.getlist("default-graph-uri")), tuple(params.getlist("named-graph-uri")))


class Unresolved(Exception):
    """The query calls allowed SERVICE hosts whose addresses must be looked up before it may run."""


class Protocol:
    """The query protocol of one app: its settings, its dataset version and its answer cache."""

    def __init__(self, settings: Settings, version: str, cache: AnswerCache | None) -> None:
        self.settings, self.version, self.cache = settings, version, cache

    def service_refusal(self, query: str, targets: list[str | None], resolve: bool = True) -> str | None:
        """Why the query's SERVICE calls (to ``targets``) may not be made (None: they may): by name,
        then by address (a DNS lookup: with ``resolve`` false, :class:`Unresolved` is raised instead, so
        that an event loop never waits for DNS)."""
        if not targets:
            return None
        refused = refused_services(query, self.settings.service_hosts, targets)
        if refused:
            return (
                f"SERVICE is not allowed to {', '.join(refused)}: the host is not on this "
                "server's allow-list, and the endpoint does not proxy requests into its network."
            )
        if not resolve:
            raise Unresolved
        refused = refused_addresses(query, self.settings.service_private_hosts, targets=targets)
        if refused:
            return (
                f"SERVICE is not allowed: {'; '.join(refused)}. The endpoint does not call into private "
                "networks (TKG_SERVICE_PRIVATE_HOSTS lists the hosts that may)."
            )
        return None

    def etag_for(self, query: str, dataset: Dataset, media_type: str) -> str:
        """Same dataset version, query, dataset and format: same answer (the parts, each ended by a NUL,
        hashed in one call)."""
        parts = (self.version, query, *dataset.default_graphs, "|", *dataset.named_graphs, media_type, "")
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]

    def plan(self, call: Call, resolve: bool = True) -> Plan | Outcome | None:
        """What to run for ``call``, or its answer when none is needed; ``None``: the request has no
        query (the service description answers it). With ``resolve`` false, a query whose SERVICE
        hosts must be looked up raises :class:`Unresolved` (plan it again where blocking is fine)."""
        try:
            query, dataset, params = _read(call)
        except ProtocolError as error:
            return plain(error.status, str(error))
        if query is None:
            return None
        read = shape(query)  # one pass of the lexer
        if read.update:
            return plain(403, READ_ONLY)
        refusal = self.service_refusal(query, read.services, resolve)
        if refusal is not None:
            return plain(403, refusal)
        kind: Kind = read.kind or "bindings"
        offered = media_types(call.accept, params.get("format"))
        if kind not in offered:
            return plain(
                406,
                f"Cannot answer a {kind} result in the requested format. "
                f"Available: {', '.join(RESULT_FORMATS[kind])}.",
            )
        etag = self.etag_for(query, dataset, offered[kind])
        if call.method == "GET" and call.if_none_match:
            held = parse_etags(call.if_none_match)
            # a gzipped answer's validator is the tag with "-gzip" (server/compression.py): the same answer
            for tag in (etag, etag + "-gzip"):
                if held.contains(tag):
                    return Outcome(304, self._validators(tag), b"")
        hit = self.cache.get(etag) if self.cache else None
        if hit is not None:
            return self._answer(hit.media_type, hit.body, etag, etag)
        return Plan(query, dataset, offered, etag, call.here)

    def answered(self, plan: Plan, answer: Answer) -> Outcome:
        """The response carrying a query's answer (kept in the answer cache once its text comes again)."""
        kept = self.cache is not None and self.cache.offer(plan.etag, answer.media_type, answer.body)
        return self._answer(answer.media_type, answer.body, plan.etag, plan.etag if kept else None)

    def _answer(self, media_type: str, body: bytes, etag: str, key: str | None) -> Outcome:
        if media_type.startswith("text/") or media_type.endswith(("json", "+xml")):
            media_type = f"{media_type}; charset=utf-8"
        return Outcome(200, [("Content-Type", media_type), *self._validators(etag)], body, key)

    def _validators(self, etag: str) -> Headers:
        return [
            ("ETag", f'"{etag}"'),
            ("Cache-Control", f"public, max-age={self.settings.cache_max_age}"),
            ("Vary", "Accept"),
        ]
