"""The tests of ``tests/http/test_queries_http.py`` over each remote store."""

from __future__ import annotations

from tests.http.test_queries_http import *  # noqa: F403

# Reads a .rq file of its own and no store: the same test as the embedded tier's, not run twice.
del test_header_parsing_and_typed_values  # noqa: F821
