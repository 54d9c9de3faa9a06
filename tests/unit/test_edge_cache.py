"""The response cache in front of Flask: what it keeps, what it answers, and the bridge that asks it."""

from __future__ import annotations

import asyncio
import doctest
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

import server.edge_cache
from bench.inprocess import Proto, Scope
from server.edge_cache import EdgeCache, Headers, Request, Target
from server.rsgi import Bridge

ETAG = '"abc123"'
STORABLE: Headers = [
    ("Content-Type", "application/sparql-results+json; charset=utf-8"),
    ("Content-Length", "26"),
    ("ETag", ETAG),
    ("Cache-Control", "public, max-age=300"),
    ("Vary", "Accept, Accept-Encoding"),
    ("Access-Control-Allow-Origin", "*"),
    ("X-Content-Type-Options", "nosniff"),
]
BODY = b'{"head":{},"boolean":true}'
JSON = {"HTTP_HOST": "kg.example", "HTTP_ACCEPT": "application/sparql-results+json"}


def target(
    method: str = "GET", path: str = "/sparql", query: str = "query=ASK", host: str = "kg.example"
) -> Target:
    return (method, "http", "1.1", "127.0.0.1:8000", host, "", path, query)


def request(headers: dict[str, str] | None = None, /, **where: str) -> Request:
    return Request(target(**where), JSON if headers is None else headers)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def filled(headers: Headers = STORABLE, **kwargs: Any) -> EdgeCache:
    cache = EdgeCache(1_000_000, **kwargs)
    assert cache.store(request(), 200, headers, BODY)
    return cache


def test_the_doctests_pass() -> None:
    assert doctest.testmod(server.edge_cache).failed == 0


def test_a_repeated_request_gets_the_stored_answer_byte_for_byte() -> None:
    cache = filled()
    assert cache.answer(request()) == (200, STORABLE, BODY)
    assert cache.answer(request(dict(JSON))) == (200, STORABLE, BODY)  # an equal request, not the same one
    assert cache.stats.hits == 2 and cache.stats.stored == 1


@pytest.mark.parametrize(
    "other",
    [
        {**JSON, "HTTP_ACCEPT": "text/csv"},
        {**JSON, "HTTP_ACCEPT": "application/sparql-results+json, text/csv;q=0.1"},
        {**JSON, "HTTP_ACCEPT": "application/sparql-results+json "},  # not normalised: not proved equal
        {**JSON, "HTTP_ACCEPT_ENCODING": "gzip"},
        {k: v for k, v in JSON.items() if k != "HTTP_ACCEPT"},
    ],
)
def test_a_request_differing_in_a_varied_header_is_not_answered(other: dict[str, str]) -> None:
    assert filled().answer(request(other)) is None


def test_headers_the_response_does_not_vary_on_do_not_matter() -> None:
    assert filled().answer(request({**JSON, "HTTP_USER_AGENT": "curl", "HTTP_COOKIE": "a=b"})) is not None


@pytest.mark.parametrize(
    "where",
    [
        {"method": "HEAD"},
        {"path": "/sparql/"},
        {"query": "query=ASK%20"},
        {"query": ""},
        {"host": "other.example"},  # pages build absolute links from Host
    ],
)
def test_the_method_host_path_and_query_string_are_part_of_the_key(where: dict[str, str]) -> None:
    assert filled().answer(request(**where)) is None


def test_each_accept_value_has_its_own_answer() -> None:
    cache = filled()
    csv = {**JSON, "HTTP_ACCEPT": "text/csv"}
    csv_headers = [("Content-Type", "text/csv; charset=utf-8"), *STORABLE[1:]]
    assert cache.store(request(csv), 200, csv_headers, b"x\n")
    assert cache.answer(request(csv)) == (200, csv_headers, b"x\n")
    assert cache.answer(request()) == (200, STORABLE, BODY)


def test_the_vary_header_keys_the_headers_as_the_app_reads_them() -> None:
    """``Vary: accept-encoding`` is the environ key ``HTTP_ACCEPT_ENCODING``, whatever its spelling."""
    headers = [*STORABLE[:4], ("vary", "accept,  ACCEPT-ENCODING")]
    cache = filled(headers)
    assert cache.answer(request()) is not None
    assert cache.answer(request({**JSON, "HTTP_ACCEPT_ENCODING": "gzip"})) is None


def replaced(name: str, value: str | None) -> Headers:
    kept = [(n, v) for n, v in STORABLE if n.lower() != name.lower()]
    return kept if value is None else [*kept, (name, value)]


@pytest.mark.parametrize(
    "headers",
    [
        replaced("Cache-Control", None),
        replaced("Cache-Control", "max-age=300"),
        replaced("Cache-Control", "public"),  # no lifetime: not guessed
        replaced("Cache-Control", "public, max-age=0"),
        replaced("Cache-Control", "public, max-age=300, private"),
        replaced("Cache-Control", "public, no-store, max-age=300"),
        replaced("Cache-Control", "public, max-age=300, no-cache"),
        replaced("Cache-Control", 'public, max-age=300, private="Set-Cookie, X-A"'),
        replaced("ETag", None),
        [*STORABLE, ("ETag", '"other"')],
        [*STORABLE, ("Set-Cookie", "session=1")],
        replaced("Vary", "*"),
    ],
)
def test_only_public_200s_with_an_etag_and_no_cookie_are_stored(headers: Headers) -> None:
    cache = EdgeCache(1_000_000)
    assert not cache.store(request(), 200, headers, BODY)
    assert cache.answer(request()) is None and len(cache) == 0


@pytest.mark.parametrize("status", [201, 203, 206, 301, 303, 304, 400, 404, 406, 413, 500, 503])
def test_other_statuses_are_never_stored(status: int) -> None:
    cache = EdgeCache(1_000_000)
    assert not cache.store(request(), status, STORABLE, BODY)
    assert len(cache) == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_AUTHORIZATION": "Basic YTpi"},
        {"HTTP_PROXY_AUTHORIZATION": "Basic YTpi"},
        {"CONTENT_LENGTH": "5"},
        {"CONTENT_LENGTH": "0"},
        {"HTTP_TRANSFER_ENCODING": "chunked"},
        {"CONTENT_TYPE": "application/sparql-query"},
        {"HTTP_CACHE_CONTROL": "no-store"},
    ],
)
def test_requests_with_a_body_or_credentials_neither_read_nor_fill_the_cache(extra: dict[str, str]) -> None:
    asked = request({**JSON, **extra})
    assert filled().answer(asked) is None
    assert not EdgeCache(1_000_000).store(asked, 200, STORABLE, BODY)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_only_get_and_head_are_stored(method: str) -> None:
    assert not EdgeCache(1_000_000).store(request(method=method), 200, STORABLE, BODY)


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_CACHE_CONTROL": "no-cache"},
        {"HTTP_CACHE_CONTROL": "max-age=0"},
        {"HTTP_CACHE_CONTROL": "only-if-cached"},
        {"HTTP_CACHE_CONTROL": "max-age=abc"},
        {"HTTP_PRAGMA": "no-cache"},
        {"HTTP_RANGE": "bytes=0-3"},
        {"HTTP_IF_MODIFIED_SINCE": "Wed, 02 Dec 2026 09:00:00 GMT"},
        {"HTTP_IF_MATCH": ETAG},
    ],
)
def test_the_client_can_send_a_request_past_the_cache_and_refresh_it(extra: dict[str, str]) -> None:
    cache = filled()
    asked = request({**JSON, **extra})
    assert cache.answer(asked) is None
    refreshed = [*STORABLE[:-1], ("X-Content-Type-Options", "nosniff"), ("X-New", "1")]
    assert cache.store(asked, 200, refreshed, BODY) and len(cache) == 1
    assert cache.answer(request()) == (200, refreshed, BODY)


def test_a_client_max_age_is_honoured_and_pragma_yields_to_cache_control() -> None:
    clock = Clock()
    cache = filled(clock=clock)
    clock.now += 10
    assert cache.answer(request({**JSON, "HTTP_CACHE_CONTROL": "max-age=60"})) is not None
    assert cache.answer(request({**JSON, "HTTP_CACHE_CONTROL": "max-age=5"})) is None
    both = {**JSON, "HTTP_CACHE_CONTROL": "max-age=60", "HTTP_PRAGMA": "no-cache"}
    assert cache.answer(request(both)) is not None


def test_an_entry_lives_no_longer_than_its_max_age() -> None:
    clock = Clock()
    cache = filled(clock=clock)
    clock.now += 299
    assert cache.answer(request()) is not None
    clock.now += 1
    assert cache.answer(request()) is None and len(cache) == 0 and cache.size == 0


def test_s_maxage_wins_over_max_age() -> None:
    clock = Clock()
    cache = filled(replaced("Cache-Control", "public, max-age=300, s-maxage=10"), clock=clock)
    clock.now += 10
    assert cache.answer(request()) is None


@pytest.mark.parametrize("condition", [ETAG, f'"x", {ETAG}', f"W/{ETAG}", "*"])
def test_if_none_match_with_the_stored_etag_gets_304_without_entity_headers(condition: str) -> None:
    answer = filled().answer(request({**JSON, "HTTP_IF_NONE_MATCH": condition}))
    assert answer is not None
    status, headers, body = answer
    assert (status, body) == (304, b"")
    assert headers == [h for h in STORABLE if h[0] not in ("Content-Type", "Content-Length")]


def test_if_none_match_with_another_etag_gets_the_200() -> None:
    answer = filled().answer(request({**JSON, "HTTP_IF_NONE_MATCH": '"other"'}))
    assert answer == (200, STORABLE, BODY)


def test_the_bound_in_bytes_evicts_the_least_recently_used() -> None:
    one = filled().size
    cache = EdgeCache(4 * one + one // 2)  # four entries fit, and each is under a quarter of the bound
    for i in range(4):
        assert cache.store(request(query=f"query=ASK{i}"), 200, STORABLE, BODY)
    assert cache.answer(request(query="query=ASK0")) is not None  # now the most recent
    assert cache.store(request(query="query=ASK4"), 200, STORABLE, BODY)
    assert cache.answer(request(query="query=ASK1")) is None
    assert all(cache.answer(request(query=f"query=ASK{i}")) for i in (0, 2, 3, 4))
    assert len(cache) == 4 and cache.size <= cache.max_bytes and cache.stats.evicted == 1


def test_an_answer_over_a_quarter_of_the_bound_is_not_stored() -> None:
    cache = EdgeCache(40_000)
    assert not cache.store(request(), 200, STORABLE, b"x" * 10_000)


def test_an_entry_stored_twice_is_counted_once() -> None:
    cache = filled()
    size = cache.size
    assert cache.store(request(), 200, STORABLE, BODY)
    assert len(cache) == 1 and cache.size == size


def test_an_answer_is_offered_and_kept_from_its_target_s_second_200_on() -> None:
    cache = EdgeCache(1_000_000)
    assert not cache.offer(request(), 404, STORABLE, BODY)  # an error does not count
    assert not cache.offer(request(), 200, STORABLE, BODY) and cache.answer(request()) is None
    assert not cache.offer(request(query="query=ASK2"), 200, STORABLE, BODY)
    assert cache.offer(request(), 200, STORABLE, BODY)
    assert cache.answer(request()) == (200, STORABLE, BODY) and len(cache) == 1


def test_a_new_vary_for_a_target_leaves_no_wrong_answer() -> None:
    cache = filled()
    only_encoding = replaced("Vary", "Accept-Encoding")
    assert cache.store(request({**JSON, "HTTP_ACCEPT": "text/html"}), 200, only_encoding, b"page")
    # the last response varies on Accept-Encoding only: any Accept gets it, as the app declared
    assert cache.answer(request({**JSON, "HTTP_ACCEPT": "text/csv"})) == (200, only_encoding, b"page")


# The bridge: a hit never reaches the app, a miss is stored, the app sees what it saw before.


class App:
    def __init__(self, status: str = "200 OK", headers: Headers = STORABLE) -> None:
        self.status, self.headers = status, headers
        self.environs: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.environs.append(environ)
        start_response(self.status, list(self.headers))
        return [BODY]


def serve(bridge: Bridge, scope: Scope) -> tuple[int, Headers, bytes]:
    proto = Proto()
    asyncio.run(bridge.__rsgi__(scope, proto))
    return proto.sent[0]


def bridge(app: App, cache_bytes: int = 1_000_000) -> Bridge:
    made = Bridge(app, threads=1, max_body=1000, body_timeout=1.0, cache_bytes=cache_bytes)
    BRIDGES.append(made)
    return made


@pytest.fixture(autouse=True)
def no_threads_left() -> Iterator[None]:
    yield
    for bridge in BRIDGES:
        bridge.pool.shutdown(wait=True)
    BRIDGES.clear()


BRIDGES: list[Bridge] = []


def test_the_bridge_answers_a_repeated_request_without_the_app() -> None:
    app = App()
    served = bridge(app)
    accept = [("accept", "application/sparql-results+json")]
    first = serve(served, Scope(accept))
    assert serve(served, Scope(accept)) == first == (200, STORABLE, BODY)
    assert len(app.environs) == 2  # a target is kept from its second request on
    assert serve(served, Scope(accept)) == first and len(app.environs) == 2
    assert serve(served, Scope([("accept", "text/csv")]))[0] == 200 and len(app.environs) == 3
    status, headers, body = serve(served, Scope([*accept, ("if-none-match", ETAG)]))
    assert (status, body) == (304, b"") and ("ETag", ETAG) in headers and len(app.environs) == 3
    assert served.cache is not None and served.cache.stats.hits == 1


def test_the_bridge_keys_repeated_and_underscored_fields_as_the_app_reads_them() -> None:
    """``Accept_Encoding: gzip`` reaches the app as Accept-Encoding: it must not get the plain answer."""
    app = App()
    served = bridge(app)
    serve(served, Scope([("accept", "a")]))
    serve(served, Scope([("accept", "a"), ("accept_encoding", "gzip")]))
    assert len(app.environs) == 2 and app.environs[1]["HTTP_ACCEPT_ENCODING"] == "gzip"
    serve(served, Scope([("accept", "a"), ("accept", "b")]))
    assert app.environs[2]["HTTP_ACCEPT"] == "a,b"
    serve(served, Scope([("accept", "a,b")]))  # the same environ: the same answer
    assert len(app.environs) == 3


def test_the_bridge_never_stores_an_error_and_can_be_turned_off() -> None:
    app = App("404 NOT FOUND")
    served = bridge(app)
    serve(served, Scope([]))
    serve(served, Scope([]))
    assert len(app.environs) == 2
    plain = App()
    off = bridge(plain, cache_bytes=0)
    serve(off, Scope([]))
    serve(off, Scope([]))
    assert off.cache is None and len(plain.environs) == 2


def test_the_bridge_still_refuses_a_giant_header_field() -> None:
    assert serve(bridge(App()), Scope([("x-giant", "y" * 9000)]))[0] == 431


def test_an_answer_is_kept_no_longer_than_the_cache_s_own_lifetime() -> None:
    """Over a remote store the cache keeps an answer at most TKG_STORE_VERSION_TTL, whatever its max-age."""
    clock = Clock()
    cache = filled(clock=clock, max_lifetime=2.0)
    clock.now += 1.5
    assert cache.answer(request()) == (200, STORABLE, BODY)
    clock.now += 1.0
    assert cache.answer(request()) is None
