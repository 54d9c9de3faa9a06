"""The tests of ``tests/http/test_escaping.py`` over each remote store."""

from __future__ import annotations

from tests.http.test_escaping import *  # noqa: F403
