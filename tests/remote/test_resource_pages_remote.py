"""The tests of ``tests/http/test_resource_pages.py``, unchanged, over each remote store (``client_real`` is remote here)."""

from __future__ import annotations

from tests.http.test_resource_pages import *  # noqa: F403
