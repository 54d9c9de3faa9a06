"""The hostile-client tests (``tests/http/test_hostile.py``) over each remote store: fuzzed queries,
bytes, headers and parameters get clear 4xx answers, never a 5xx, whatever the engine makes of them."""

from __future__ import annotations

from tests.http.test_hostile import *  # noqa: F403
