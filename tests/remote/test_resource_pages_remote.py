"""The tests of ``tests/http/test_resource_pages.py`` over each remote store."""

from __future__ import annotations

from tests.http.test_resource_pages import *  # noqa: F403
