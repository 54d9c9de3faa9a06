"""Shared fixtures: real builds (fixture world and real articles) in temporary directories."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tkg.build import build
from tkg.config import ROOT, Settings
from tkg.executor import start_time
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


#: Everything the real build's output depends on: its inputs, the code that builds it, the pins.
BUILD_INPUTS = ("ontology", "data", "shapes", "tkg", "pyproject.toml")


def build_key(seeds_dir: Path) -> str:
    """A hash of every file the real build reads or runs, the engines' versions and the base IRI.

    Two runs with the same key would build the same store, so the second reads the first's. Paths are
    hashed relative to the project root (the seeds' to their folder), so that clones and worktrees of
    the same commit share one key.
    """
    from importlib.metadata import version

    digest = hashlib.sha256()
    for name in ("pyoxigraph", "owlrl", "pyshacl", "rdflib"):
        digest.update(f"{name}={version(name)}\n".encode())
    digest.update(os.environ.get("TKG_BASE_IRI", "").encode())
    roots = [(ROOT / name, ROOT) for name in BUILD_INPUTS] + [(seeds_dir, seeds_dir.parent)]
    for root, base in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def real_build() -> Settings:
    """The real graph, built once for every test run of the same inputs and code, only ever read after.

    ``make test`` runs pytest twice (the parallel phase, then the serial one) and each
    has its xdist workers: they all share one build in ``.pytest_cache/real-build/KEY``,
    keyed by :func:`build_key`, so the graph is built once, not once per phase (a run
    after any change to the data, the ontology, the shapes or ``tkg`` builds afresh).
    The first to take the lock builds it, the others wait and read it (a build that
    failed left no ``current``: the next one tries again, and fails with its message).
    ``TKG_TEST_BUILD_CACHE`` moves the cache (CI can point it at a fresh directory).
    """
    cache = Path(os.environ.get("TKG_TEST_BUILD_CACHE", ROOT / ".pytest_cache" / "real-build"))
    settings = make_settings(cache / build_key(Settings().seeds_dir) / "build")
    settings.build_dir.parent.mkdir(parents=True, exist_ok=True)
    with (settings.build_dir.parent / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not settings.current_store.exists():
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


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a killed child lingers as a zombie until reaped: not alive)."""
    return start_time(pid) is not None


@dataclass
class Serving:
    """A ``tkg serve`` process the tests started: where it listens, and how it ended."""

    port: int
    process: subprocess.Popen
    log: Path
    returncode: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_serve(
    build_dir: Path,
    *options: str,
    log: Path,
    command: tuple[str, ...] = (sys.executable, "-m", "tkg.cli"),
    cwd: Path | None = None,
    **env: str,
) -> Serving:
    """``tkg serve OPTIONS`` on a free port of 127.0.0.1 over ``build_dir``, once it answers ``/``.

    Its output goes to ``log`` (an unread pipe would fill up and stall the server). ``command`` is
    how ``tkg`` is run (another venv's ``tkg`` script, for an installed copy), in ``cwd``. A server
    that exits or does not answer within 30 s is an error with the end of its log (and is stopped).
    """
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port), *options],
            env={**os.environ, "TKG_BUILD_DIR": str(build_dir), **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=cwd,
        )
    serving = Serving(port, process, log)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(serving.base + "/", timeout=1).status_code == 200:
                return serving
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            stop_serve(serving)
            raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def stop_serve(serving: Serving) -> None:
    """SIGTERM, as an operator stops it (SIGKILL after 30 s); ``returncode`` then says how it exited."""
    serving.process.send_signal(signal.SIGTERM)
    try:
        serving.returncode = serving.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        serving.process.kill()
        serving.returncode = serving.process.wait()


@contextmanager
def tkg_serve(build_dir: Path, *options: str, log: Path, **kwargs: Any) -> Iterator[Serving]:
    """:func:`start_serve` for the block, stopped at its end (:func:`stop_serve`)."""
    serving = start_serve(build_dir, *options, log=log, **kwargs)
    try:
        yield serving
    finally:
        stop_serve(serving)


def shared_serve(
    factory: pytest.TempPathFactory, name: str, build_dir: Path, *options: str, **env: str
) -> str:
    """``tkg serve OPTIONS`` for the whole test run, whichever xdist worker asks first; its base URL.

    ``make test`` hands tests out one at a time, so each worker that drew one test of a session
    fixture's started its own server (up to four of each, a second of CPU each, in a phase bound by
    CPU). The first worker to ask starts it under a file lock and leaves a record of where it listens;
    the others read the record; the run's end stops it (:func:`stop_recorded`, from
    ``pytest_sessionfinish``), as :func:`tests.remote.engines.shared` does for the stores. For the
    servers that the tests only send requests to: a test that reads the log, times answers or loads
    the server starts its own (:func:`tkg_serve`).
    """
    root = run_root(factory)
    root.mkdir(parents=True, exist_ok=True)
    record = root / f"server-{name}.json"
    with (root / f"server-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            serving = start_serve(build_dir, *options, log=root / f"server-{name}.log", **env)
            record.write_text(json.dumps({"base": serving.base, "pid": serving.process.pid}))
        return json.loads(record.read_text())["base"]


def stop_recorded(root: Path, pattern: str) -> None:
    """Stop every process a record ``root/PATTERN`` names (its ``pid``): SIGTERM, SIGKILL after 20 s."""
    for record in sorted(root.glob(pattern)):
        pid = json.loads(record.read_text())["pid"]
        if not alive(pid):
            continue
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # this process's child in a run without xdist
            os.waitpid(pid, 0)


@pytest.fixture(scope="session")
def live_server(real_build: Settings, tmp_path_factory: pytest.TempPathFactory) -> str:
    """``tkg serve`` (granian, one worker) over the real build, one for the run; its base URL."""
    return shared_serve(tmp_path_factory, "real", real_build.build_dir, "--workers", "1")


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A directory of the whole test run that ``make`` fills once, whichever xdist worker asks first.

    ``make test`` hands tests out one at a time, so a module's tests land on every worker and its
    module fixture runs once on each: a build made there (10-15 s) was made up to four times a run.
    The first worker to ask makes it under a file lock, the others wait and read it. A ``make`` that
    failed left no ``done`` mark: the next worker tries again (and fails with its own message).
    """
    root = run_root(factory) / name
    root.mkdir(parents=True, exist_ok=True)
    made = root / "made"
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done").exists():
            shutil.rmtree(made, ignore_errors=True)
            made.mkdir()
            make(made)
            (root / "done").touch()
    return made


def run_root(factory: pytest.TempPathFactory) -> Path:
    """The temporary directory of the whole run: each xdist worker's is a folder inside the controller's."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the servers and the remote stores the run shared, once every worker has ended."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    root = run_root(session.config._tmp_path_factory)  # type: ignore[attr-defined]
    stop_recorded(root, "server-*.json")  # the front ends first, then the stores they read
    stop_recorded(root, "engine-*.json")


#: The longest tests of ``make test``'s parallel phase, longest first (setup and call, ``--durations``,
#: bench/README), each with all its parameters: they start first, so that the phase does not end waiting
#: on one.
LONGEST = (
    "tests/e2e/test_install.py::test_a_lone_clone_builds_with_make_build_and_serves_once_installed_by_pip",
    "tests/build/test_fast_reasoner.py::test_same_inferences_as_owlrl_on_the_real_graph",
    "tests/remote/test_remote_mode.py::test_a_push_killed_at_any_point_leaves_a_complete_version_served_and_the_next_push_succeeds",
    "tests/remote/test_remote_mode.py::test_two_front_ends_over_one_store_answer_the_same_version_and_follow_a_push",
    "tests/remote/test_remote_mode.py::test_the_dumps_copied_from_the_store_outlive_a_killed_server_and_its_restart_reuses_the_copies",
    "tests/e2e/test_browser.py::test_editor_completes_the_projects_prefixes",
    "tests/e2e/test_bench.py::test_the_scale_section_alone_builds_serves_and_times_a_small_graph",
    "tests/e2e/test_load.py::test_bounded_load_has_zero_errors",
    "tests/e2e/test_comunica.py::test_comunica_queries_the_sparql_endpoint",
    "tests/http/test_linked_data.py::test_a_crawler_from_the_home_page_reaches_every_resource_in_html",
    "tests/build/test_fast_reasoner.py::test_same_inferences_as_owlrl_on_a_generated_graph",
    "tests/e2e/test_bench.py::test_the_soak_runs_and_reports_memory_and_errors",
    "tests/http/test_linked_data.py::test_every_resource_dereferences_to_turtle_that_describes_it",
)


def rank(item: pytest.Item) -> int:
    """``item``'s place in :data:`LONGEST`; ``len(LONGEST)`` for the others."""
    name = item.nodeid.split("[")[0]
    return LONGEST.index(name) if name in LONGEST else len(LONGEST)


def longest_first(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """``items`` with the :data:`LONGEST` first, the others in pytest's order after them.

    ``make test`` runs xdist with ``--maxschedchunk 1``: each worker is handed two tests, then one
    more as each ends. A short test beside each of the first ``workers`` long ones keeps two long
    ones out of one worker's first pair, where the second would wait for the first.
    """
    ordered = sorted(items, key=rank)  # stable: pytest's order (fixtures grouped) within each rank
    long = [item for item in ordered if rank(item) < len(LONGEST)]
    rest = ordered[len(long) :]
    pairs = min(workers, len(long), len(rest))
    head = [item for pair in zip(long[:pairs], rest[:pairs], strict=True) for item in pair]
    return head + long[pairs:] + rest[pairs:]


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by their session fixtures
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the live tier ``e2e`` (and the remote stores' tests): ``pytest -m "not e2e"`` is the quick run.

    The tests that judge latency under load are marked ``serial`` where they are
    written: ``make test`` runs everything else on every worker first, then those alone.
    The longest tests go first (:func:`longest_first`).
    """
    for item in items:
        live = "live_server" in getattr(item, "fixturenames", ())
        if live or "/tests/e2e/" in str(item.path) or "/tests/remote/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
    items[:] = longest_first(items, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print which W3C protocol tests pass."""
    from tests.e2e.test_w3c_protocol import RESULTS

    if RESULTS:
        terminalreporter.section("W3C SPARQL 1.1 Protocol tests")
        for name, outcome in RESULTS:
            terminalreporter.write_line(f"{outcome:<45} {name}")
        passed = sum(1 for _, o in RESULTS if o != "FAIL")
        terminalreporter.write_line(f"{passed}/{len(RESULTS)} as expected")
