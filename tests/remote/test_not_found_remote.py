"""The tests of ``tests/http/test_not_found.py``, unchanged, over each remote store (``client_real`` is remote here)."""

from __future__ import annotations

from tests.http.test_not_found import *  # noqa: F403
