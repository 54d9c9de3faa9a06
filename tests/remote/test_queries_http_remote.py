"""The tests of ``tests/http/test_queries_http.py``, unchanged, over each remote store (``client_real`` is remote here)."""

from __future__ import annotations

from tests.http.test_queries_http import *  # noqa: F403
