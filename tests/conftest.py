"""Shared fixtures: real builds (fixture world and real articles) in temporary directories."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tkg.build import build
from tkg.config import ROOT, Settings
from tkg.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures"


def make_settings(build_dir: Path, data_dir: Path | None = None, seeds_dir: Path | None = None) -> Settings:
    return Settings(
        ontology_dir=ROOT / "ontology",
        data_dir=data_dir or ROOT / "data" / "ttl",
        shapes_dir=ROOT / "shapes",
        seeds_dir=seeds_dir or Settings().seeds_dir,
        build_dir=build_dir,
    )


def cli_env(settings: Settings) -> dict[str, str]:
    """The environment that points the ``tkg`` command at these settings' directories."""
    return {
        **os.environ,
        "TKG_BUILD_DIR": str(settings.build_dir),
        "TKG_DATA_DIR": str(settings.data_dir),
        "TKG_SEEDS_DIR": str(settings.seeds_dir),
    }


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``tkg ARGS`` as a user would, against these settings' directories."""
    return subprocess.run(
        [sys.executable, "-m", "tkg.cli", *args],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def fixture_data(tmp_path: Path) -> Path:
    """A writable copy of the fixture world's data directory."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", target)
    return target


@pytest.fixture
def fixture_settings(tmp_path: Path, fixture_data: Path) -> Settings:
    return make_settings(tmp_path / "build", fixture_data, FIXTURES / "seeds")


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real graph, built once per test session."""
    settings = make_settings(tmp_path_factory.mktemp("real") / "build")
    build(settings, report=lambda _line: None)
    return settings


@pytest.fixture(scope="session")
def real_store(real_build: Settings) -> EmbeddedStore:
    return EmbeddedStore(real_build.current_store)


@pytest.fixture(scope="session")
def client_real(real_build: Settings):
    """Flask's test client over the real build."""
    from server import create_app

    return create_app(real_build).test_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(real_build: Settings) -> Iterator[str]:
    """``tkg serve`` (granian) on 127.0.0.1 over the real build; yields its base URL."""
    port = free_port()
    env = {**os.environ, "TKG_BUILD_DIR": str(real_build.build_dir)}
    # The access log goes to a file: an unread pipe would fill up and stall the server.
    log = real_build.build_dir.parent / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "tkg.cli", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")
    yield base
    process.terminate()
    process.wait(timeout=30)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the live tier ``e2e``: ``pytest -m "not e2e"`` is the quick run of the other tiers."""
    for item in items:
        live = "live_server" in getattr(item, "fixturenames", ())
        if live or "/tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print which W3C protocol tests pass."""
    from tests.e2e.test_w3c_protocol import RESULTS

    if RESULTS:
        terminalreporter.section("W3C SPARQL 1.1 Protocol tests")
        for name, outcome in RESULTS:
            terminalreporter.write_line(f"{outcome:<45} {name}")
        passed = sum(1 for _, o in RESULTS if o != "FAIL")
        terminalreporter.write_line(f"{passed}/{len(RESULTS)} as expected")
