"""Every rule of the app's URL map, fuzzed: odd segments, query strings and headers never get a 5xx.

The rules are read from ``app.url_map`` itself, so a new route is fuzzed the day
it is added. Each argument of a rule gets hypothesis-generated text (control
characters, ``%``-escapes of bytes that are not UTF-8, markup, dots and
slashes), the query string random names and values, and the request random
values of the headers the views read. Every answer is a 2xx, 3xx or 4xx, and
every 4xx carries a sentence without a stack trace.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import create_app
from tkg.config import Settings

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

#: Path segments an attacker tries first, beside random text.
SEGMENTS = [
    "",
    " ",
    "a b",
    "%00",
    "%ff",
    "%c3%28",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "..",
    "..%2F..%2Fetc%2Fpasswd",
    "crfi",
    "crfi.ttl",
    "x" * 3000,
    "%E2%80%AE",
    "%0d%0aSet-Cookie:%20x=1",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
#: A path segment: raw escapes as sent on the wire, or any text, percent-encoded.
SEGMENT = st.sampled_from(SEGMENTS) | TEXT.map(lambda s: quote(s, safe=""))
PARAMS = st.dictionaries(
    st.sampled_from(["q", "query", "format", "from", "to", "org", "limit", "kind", "lang", "x"]) | TEXT,
    TEXT,
    max_size=4,
)
#: Header values as a client may send them (latin-1, no line breaks).
HEADER_TEXT = TEXT.map(
    lambda s: s.encode("latin-1", "ignore").decode("latin-1").replace("\r", " ").replace("\n", " ")
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Accept": st.sampled_from(["text/html", "*/*", "text/turtle;q=x", "a/b, c/d;q=0.5", ""])
        | HEADER_TEXT,
        "Accept-Encoding": st.sampled_from(["gzip", "br;q=0", "*"]) | HEADER_TEXT,
        "Accept-Language": HEADER_TEXT,
        "If-None-Match": st.sampled_from(['"x"', "*", "W/"]) | HEADER_TEXT,
        "If-Modified-Since": HEADER_TEXT,
        "Range": st.sampled_from(["bytes=0-1", "bytes=9-1", "bytes=-"]) | HEADER_TEXT,
        "Content-Type": st.sampled_from(["application/sparql-query", "multipart/form-data"]) | HEADER_TEXT,
        "Origin": HEADER_TEXT,
    },
)


@pytest.fixture(scope="module")
def app(real_build: Settings) -> Flask:
    return create_app(real_build)


def path_for(rule: str, segments: list[str]) -> str:
    """``rule`` with each ``<argument>`` replaced by the next segment."""
    parts = rule.split("<")
    path = parts[0]
    for n, part in enumerate(parts[1:]):
        path += segments[n % len(segments)] + part.split(">", 1)[1]
    return path


def assert_answered(response, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    status = response.status_code
    text = response.get_data().decode("utf-8", "replace")  # gzipped when asked: only errors are read
    assert status < 500, (method, path, status, text[:300])
    if status >= 400 and method != "HEAD":
        assert text.strip(), "an error needs a sentence"
        assert "Traceback" not in text and "/work/" not in text and 'File "' not in text


def test_every_rule_answers_odd_input_without_a_5xx(app: Flask) -> None:
    client: FlaskClient = app.test_client()
    rules = sorted({rule.rule for rule in app.url_map.iter_rules()})
    assert len(rules) > 20 and "/svg/family-tree/org/<slug>" in rules

    for rule in rules:

        @FUZZ
        @given(
            st.lists(SEGMENT, min_size=1, max_size=3),
            PARAMS,
            HEADERS,
            st.sampled_from(["GET", "GET", "HEAD", "POST"]),
        )
        def fuzz(segments: list[str], params: dict[str, str], headers: dict[str, str], method: str) -> None:
            path = path_for(rule, segments)  # noqa: B023 - run at once, in this iteration
            response = client.open(path, method=method, query_string=params, headers=headers)
            assert_answered(response, method, path)

        fuzz()


@pytest.mark.parametrize("segment", SEGMENTS)
def test_the_slugs_that_answered_500(client_real: FlaskClient, segment: str) -> None:
    """The family tree's slug was passed to the graph unchecked (issue 16): now a 404 with a sentence."""
    response = client_real.get(f"/svg/family-tree/org/{segment}")
    assert response.status_code in (200, 404), response.status_code
    assert response.get_data(as_text=True).strip()
