"""The failed-query answers (``tests/http/test_query_errors.py``) over each remote store."""

from __future__ import annotations

import pytest

from server import create_app
from tests.http.test_query_errors import *  # noqa: F403
from tests.remote.conftest import remote_settings


@pytest.fixture(scope="module")
def capped(real_build, engine):
    """The remote store behind a row cap of 3."""
    return create_app(remote_settings(real_build, engine, max_rows=3)).test_client()
