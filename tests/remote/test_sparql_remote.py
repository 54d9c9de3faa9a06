"""The endpoint's tests (``tests/http/test_sparql.py``), unchanged, over each remote store."""

from __future__ import annotations

import pytest

from tests.http.test_sparql import *  # noqa: F403


@pytest.fixture(scope="module")
def client(client_real):
    """The endpoint over the remote store (the module's embedded client, overridden)."""
    return client_real
