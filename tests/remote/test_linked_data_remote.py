"""The tests of ``tests/http/test_linked_data.py``, unchanged, over each remote store (``client_real`` is remote here)."""

from __future__ import annotations

from tests.http.test_linked_data import *  # noqa: F403
