"""The remote mode's fixtures: the real build pushed into each engine, and the app over it.

``engine`` is parametrised by :data:`tests.remote.engines.ENGINES`: each store is
started once per test run and shared by every xdist worker (:func:`tests.remote.engines.shared`),
the real build pushed into it once, and stopped when the run ends. ``client_real`` and
``live_server`` are overridden here, so the test modules of other tiers imported into this folder
run unchanged over each remote store (``test_*_remote.py``).
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import run_root, shared_serve
from tests.remote.engines import ENGINES, Engine, shared
from tkg.config import Settings
from tkg.push import push


def remote_settings(build: Settings, engine: Engine, **changes: object) -> Settings:
    """``build``'s settings, answering from ``engine``."""
    return dataclasses.replace(
        build,
        store_url=engine.query_url,
        store_gsp_url=engine.gsp_url,
        store_user=engine.user,
        store_password=engine.password,
        **changes,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest, real_build: Settings, tmp_path_factory) -> Engine:
    """A store of each kind holding the real build, pushed as an operator pushes it, once per run."""

    def push_real_build(started: Engine) -> None:
        push(remote_settings(real_build, started), report=lambda _line: None, grace=0)

    return shared(request.param, run_root(tmp_path_factory), push_real_build)


@pytest.fixture(scope="session")
def client_real(real_build: Settings, engine: Engine):
    """Flask's test client over the remote store (the embedded store's fixture, overridden)."""
    from server import create_app

    return create_app(remote_settings(real_build, engine)).test_client()


@pytest.fixture(scope="session")
def live_server(real_build: Settings, engine: Engine, tmp_path_factory) -> str:
    """``tkg serve`` over the remote store, with no build on its disk (an empty build directory), one
    for the run (:func:`tests.conftest.shared_serve`)."""
    empty = run_root(tmp_path_factory) / f"front-end-{engine.name}" / "build"
    empty.parent.mkdir(parents=True, exist_ok=True)
    return shared_serve(tmp_path_factory, f"front-end-{engine.name}", empty, "--workers", "1", **engine.env())
