"""The tests of ``tests/http/test_linked_data.py`` over each remote store."""

from __future__ import annotations

from tests.http.test_linked_data import *  # noqa: F403
