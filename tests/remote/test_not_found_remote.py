"""The tests of ``tests/http/test_not_found.py`` over each remote store."""

from __future__ import annotations

from tests.http.test_not_found import *  # noqa: F403
