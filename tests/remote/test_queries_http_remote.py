"""The tests of ``tests/http/test_queries_http.py`` over each remote store."""

from __future__ import annotations

from tests.http.test_queries_http import *  # noqa: F403
