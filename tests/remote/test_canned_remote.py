"""The canned queries' expected rows (``tests/build/test_canned_queries.py``) over each remote store."""

from __future__ import annotations

import pytest

from tests.build.test_canned_queries import (  # noqa: F401
    test_an_event_with_a_range_is_on_the_timeline_at_its_start,
    test_canned_query_gives_the_expected_rows,
    test_canned_query_runs_with_its_defaults,
)
from tests.remote.conftest import remote_settings
from tkg.remote import RemoteStore


@pytest.fixture(scope="module")
def real_store(real_build, engine):
    """The remote store where those tests read the embedded one: the same read path runs over it."""
    return RemoteStore(remote_settings(real_build, engine))
