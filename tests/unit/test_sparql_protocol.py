"""The SPARQL query protocol's rules, without a server: a request value in, a plan or an answer out."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.answer_cache import AnswerCache
from server.sparql_protocol import (
    Call,
    Outcome,
    Plan,
    Protocol,
    Unresolved,
    content_type,
    decoded,
    media_types,
    plain,
    refused,
)
from tkg.budget import OverBudget
from tkg.config import Settings
from tkg.executor import Answer
from tkg.store import QueryTimeout

HERE = "http://127.0.0.1:8000/sparql"
JSON = "application/sparql-results+json"
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


def protocol(cache: bool = False, **settings: object) -> Protocol:
    return Protocol(Settings(**settings), "v1", AnswerCache(1_000_000) if cache else None)  # type: ignore[arg-type]


def get(query: str | None = None, accept: str = "", if_none_match: str = "", **params: str) -> Call:
    args = {"query": query, **params} if query is not None else params
    return Call("GET", urlencode(args).encode(), b"", HERE, accept=accept, if_none_match=if_none_match)


def post(content_type: str, body: bytes, query_string: bytes = b"") -> Call:
    return Call("POST", query_string, body, HERE, content_type=content_type)


def header(outcome: Outcome, name: str) -> str | None:
    return next((value for key, value in outcome.headers if key == name), None)


def test_a_query_is_planned_with_its_format_etag_and_base() -> None:
    plan = protocol().plan(get(SELECT, accept="text/csv", **{"default-graph-uri": "http://e/g"}))
    assert isinstance(plan, Plan)
    assert plan.query == SELECT and plan.here == HERE
    assert plan.media_types["bindings"] == "text/csv"
    assert plan.dataset.default_graphs == ("http://e/g",)
    assert len(plan.etag) == 32


@pytest.mark.parametrize(
    ("call", "status"),
    [
        (get("DROP ALL"), 403),
        (get(SELECT, update="DROP ALL"), 405),
        (get("SELECT * { SERVICE <http://evil.example/q> { ?s ?p ?o } }"), 403),
        (get("SELECT * { SERVICE ?where { ?s ?p ?o } }"), 403),
        (get("SELECT * { SERVICE < }"), 403),  # an IRI that never closes (was a 500)
        (get(SELECT, accept="image/png"), 406),
        (get(SELECT, format="nonsense"), 406),
        (Call("GET", b"query=ASK%7B%7D&query=ASK%7B%7D", b"", HERE), 400),
        (post("application/sparql-update", b"DROP ALL"), 403),
        (post("application/x-www-form-urlencoded", b"update=DROP+ALL"), 403),
        (post("application/x-www-form-urlencoded", b"query=ASK%7B%7D", b"query=ASK%7B%7D"), 400),
        (post("application/sparql-query; charset=latin-1", SELECT.encode()), 415),
        (post("application/sparql-query", b"SELECT \xff"), 400),
        (post("application/x-www-form-urlencoded", b"query=\xff"), 400),
        (post("text/plain", SELECT.encode()), 415),
        (Call("GET", b"query=ASK%7B%7D&x=\xe9", b"", HERE), 400),  # raw bytes that are not UTF-8 (was a 500)
        (post("", SELECT.encode()), 415),
    ],
)
def test_bad_requests_get_their_status_and_a_sentence(call: Call, status: int) -> None:
    outcome = protocol().plan(call)
    assert isinstance(outcome, Outcome) and outcome.status == status
    assert header(outcome, "Content-Type") == "text/plain; charset=utf-8"
    sentence = outcome.body.decode()
    assert sentence.endswith(".\n") or sentence.endswith(")\n"), sentence


def test_a_service_on_the_allow_list_is_planned() -> None:
    query = "SELECT * { SERVICE <http://kg.example.org/q> { ?s ?p ?o } }"
    rules = protocol(service_hosts=("kg.example.org",), service_private_hosts=("kg.example.org",))
    assert isinstance(rules.plan(get(query)), Plan)


def test_a_service_host_to_look_up_is_left_to_a_caller_that_may_block() -> None:
    """The fast path plans on the event loop with ``resolve=False``: DNS must never hold the loop."""
    query = "SELECT * { SERVICE <http://kg.example.org/q> { ?s ?p ?o } }"
    rules = protocol(service_hosts=("kg.example.org",), service_private_hosts=("kg.example.org",))
    with pytest.raises(Unresolved):
        rules.plan(get(query), resolve=False)
    refused_by_name = protocol().plan(get(query), resolve=False)  # no look-up needed to refuse it
    assert isinstance(refused_by_name, Outcome) and refused_by_name.status == 403
    assert isinstance(rules.plan(get(SELECT), resolve=False), Plan)


def test_form_and_direct_posts_plan_the_same_query() -> None:
    form = protocol().plan(
        post("application/x-www-form-urlencoded; charset=UTF-8", urlencode({"query": SELECT}).encode())
    )
    direct = protocol().plan(post("application/sparql-query", SELECT.encode()))
    assert isinstance(form, Plan) and isinstance(direct, Plan)
    assert form.query == direct.query == SELECT and form.etag == direct.etag


def test_no_query_is_for_the_service_description() -> None:
    assert protocol().plan(get()) is None


def test_a_matching_if_none_match_gets_304_and_a_different_text_does_not() -> None:
    rules = protocol()
    plan = rules.plan(get(SELECT))
    assert isinstance(plan, Plan)
    again = rules.plan(get(SELECT, if_none_match=f'"{plan.etag}"'))
    assert isinstance(again, Outcome) and again.status == 304 and not again.body
    assert header(again, "ETag") == f'"{plan.etag}"'
    gzipped = rules.plan(get(SELECT, if_none_match=f'"{plan.etag}-gzip"'))  # the gzipped answer's tag
    assert isinstance(gzipped, Outcome) and gzipped.status == 304
    assert header(gzipped, "ETag") == f'"{plan.etag}-gzip"'
    other = rules.plan(get(SELECT + " # another text", if_none_match=f'"{plan.etag}"'))
    assert isinstance(other, Plan) and other.etag != plan.etag


def test_an_answer_asked_for_twice_is_kept_and_given_to_the_next_asker_of_the_same_text() -> None:
    rules = protocol(cache=True)
    body = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
    plan = rules.plan(get(SELECT, accept=JSON))
    assert isinstance(plan, Plan)
    once = rules.answered(plan, Answer("bindings", JSON, body))
    assert once.status == 200 and once.body == body and once.cache_key is None  # a one-off is not kept
    plan = rules.plan(get(SELECT, accept=JSON))
    assert isinstance(plan, Plan), "a text asked once is not kept"
    second = rules.answered(plan, Answer("bindings", JSON, body))
    assert second.cache_key == plan.etag and second[:3] == once[:3]
    assert header(second, "Content-Type") == f"{JSON}; charset=utf-8"
    assert header(second, "Cache-Control") == "public, max-age=300"
    hit = rules.plan(get(SELECT, accept=JSON))
    assert hit == second
    assert isinstance(rules.plan(get(SELECT + " ", accept=JSON)), Plan), "a new text must miss"


def test_failures_carry_their_status_and_when_to_retry() -> None:
    over = refused(OverBudget("this client has used its share.", 7))
    assert over.status == 429 and header(over, "Retry-After") == "7"
    timeout = refused(QueryTimeout("the query ran past its time budget"))
    assert timeout.status == 503 and header(timeout, "Retry-After")
    assert plain(400, "No.").body == b"No.\n"


def test_negotiation_is_memoised_per_accept_and_format() -> None:
    media_types.cache_clear()
    first = media_types("text/csv, */*;q=0.1", None)
    assert first["bindings"] == "text/csv" and first["graph"]
    assert media_types("text/csv, */*;q=0.1", None) is first
    assert media_types.cache_info().hits == 1
    assert content_type("Application/SPARQL-Query; Charset=UTF-8") == ("application/sparql-query", "utf-8")


#: Pieces of query strings and forms, well and badly encoded.
PIECES = [
    "%",
    "=",
    "&",
    "+",
    "a",
    "Z",
    "0",
    "f",
    "%C3",
    "%A9",
    "%2B",
    "%3D",
    "%26",
    "%0A",
    "%20",
    "%zz",
    "%f",
    " ",
    "\n",
    "é",
    "%e2%82",
    "%ac",
    "=3D",
    "_",
    ";",
    "%ff",
    "query",
    "SELECT+%3Fs",
]


@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_parameters_are_decoded_as_werkzeug_decodes_them(pieces: list[str]) -> None:
    raw = "".join(pieces).encode()
    try:
        expected: object = parse_qsl(raw.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
    except UnicodeDecodeError as error:
        expected = type(error)
    try:
        found: object = decoded(raw)
    except UnicodeDecodeError as error:
        found = type(error)
    assert found == expected
