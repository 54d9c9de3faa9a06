"""The tests of ``tests/http/test_resource_pages.py`` over each remote store."""

from __future__ import annotations

from tests.http.test_resource_pages import *  # noqa: F403

# Warms an app over the embedded build (``real_build``), never the remote store: not run twice.
del test_a_warmed_app_has_its_templates_compiled_and_its_models_loaded  # noqa: F821
