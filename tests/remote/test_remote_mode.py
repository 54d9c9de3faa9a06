"""What only the remote mode has: the push and its switch, killed pushes, several front ends, a store
that dies and comes back, budgets enforced by the engines, and updates that never reach the store.

Each test that pushes or stops a store starts its own (``fresh``), so that what it does cannot change the
store the other remote tests read; the tests that only read use that shared one (``engine``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bench.loadgen import process_tree
from server import create_app
from tests.conftest import FIXTURES, cli_env, free_port, make_settings, tkg_serve
from tests.remote.conftest import remote_settings
from tests.remote.engines import ENGINES, Engine, running
from tkg.build import build
from tkg.config import Settings
from tkg.dumps import DUMPS, INDEX
from tkg.push import push, stale
from tkg.remote import LOCK, RemoteStore, physical
from tkg.storage import Manifest
from tkg.store import StoreUnavailable

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(params=ENGINES)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty store of each kind, for this test alone (its engine timeout: 1 s)."""
    with running(request.param, tmp_path / request.param, timeout=1) as engine:
        yield engine


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The small fixture world, built: a second version, different from the real graph's."""
    settings = make_settings(
        tmp_path_factory.mktemp("fixture") / "build", FIXTURES / "data", FIXTURES / "seeds"
    )
    build(settings, report=lambda _line: None)
    return settings


def served(settings: Settings) -> tuple[str, int]:
    """The version a new front end serves, and the triples it counts in it."""
    store = RemoteStore(settings)
    response = (
        create_app(settings)
        .test_client()
        .get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return store.version, int(response.get_data(as_text=True).split()[1])


def push_cli(settings: Settings, engine: Engine, failpoint: str | None = None) -> subprocess.CompletedProcess:
    env = {**cli_env(settings), **engine.env(), "TKG_FAILPOINT": failpoint or ""}
    return subprocess.run(
        [sys.executable, "-m", "tkg.cli", "push", "--grace", "0", "--chunk", "1000"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_push_killed_at_any_point_leaves_a_complete_version_served_and_the_next_push_succeeds(
    fresh: Engine, real_build: Settings, fixture_build: Settings
) -> None:
    real = remote_settings(real_build, fresh)
    first = push(real, report=lambda _line: None, grace=0)
    assert served(real) == (first.version, first.triples)
    second = RemoteStore(remote_settings(fixture_build, fresh))
    new = Manifest.read(fixture_build.current_store.resolve())
    assert new.version != first.version
    for point in ("push:chunk", "push:uploaded"):  # killed before the switch: the old version, whole
        killed = push_cli(fixture_build, fresh, point)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert served(real) == (first.version, first.triples), point
    killed = push_cli(fixture_build, fresh, "push:switched")  # killed after it: the new one, whole
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert served(real) == (new.version, new.triples)
    left = stale(second, {physical(g, new.version) for g in new.graphs})
    assert left == sorted(physical(g, first.version) for g in first.graphs)  # what the kill left behind
    done = push_cli(fixture_build, fresh)
    assert done.returncode == 0, done.stderr
    assert "already the one served" in done.stdout
    assert stale(second, {physical(g, new.version) for g in new.graphs}) == []
    back = push_cli(real_build, fresh)  # and back to the real graph, in chunks, with progress
    assert back.returncode == 0, back.stderr
    assert f"/ {first.graphs[next(iter(first.graphs))]} triples" in back.stdout
    assert served(real) == (first.version, first.triples)


def test_a_push_to_a_graph_store_that_does_not_answer_fails_with_a_sentence(
    fresh: Engine, real_build: Settings
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/store"  # nothing listens there
    env = {**cli_env(real_build), **fresh.env(), "TKG_STORE_GSP_URL": dead}
    done = subprocess.run(
        [sys.executable, "-m", "tkg.cli", "push", "--grace", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "push failed" in done.stderr and "did not answer" in done.stderr
    assert "Traceback" not in done.stderr


def test_two_front_ends_over_one_store_answer_the_same_version_and_follow_a_push(
    fresh: Engine, real_build: Settings, fixture_build: Settings, tmp_path: Path
) -> None:
    real = remote_settings(real_build, fresh)
    first = push(real, report=lambda _line: None, grace=0)
    env = {**fresh.env(), "TKG_STORE_VERSION_TTL": "0.5"}
    query = {"query": COUNT}
    with (
        tkg_serve(tmp_path / "a", "--workers", "1", log=tmp_path / "a.log", **env) as a,
        tkg_serve(tmp_path / "b", "--workers", "1", log=tmp_path / "b.log", **env) as b,
    ):
        answers = [
            requests.get(f"{s.base}/sparql", params=query, headers={"Accept": "text/csv"}) for s in (a, b)
        ]
        assert [r.text.split()[1] for r in answers] == [str(first.triples)] * 2
        assert answers[0].headers["ETag"] == answers[1].headers["ETag"]
        assert not (tmp_path / "a" / "current").exists()  # nothing of the front end's own on disk
        new = push(remote_settings(fixture_build, fresh), report=lambda _line: None, grace=0)
        deadline = time.monotonic() + 10
        while True:
            counts = [
                requests.get(f"{s.base}/sparql", params=query, headers={"Accept": "text/csv"}).text.split()[1]
                for s in (a, b)
            ]
            if counts == [str(new.triples)] * 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert counts == [str(new.triples)] * 2
        void = [requests.get(f"{s.base}/void", headers={"Accept": "text/turtle"}).text for s in (a, b)]
        assert all(new.version in text for text in void)


def test_a_store_that_dies_gives_503_with_retry_after_and_the_front_end_recovers(
    fresh: Engine, real_build: Settings
) -> None:
    settings = remote_settings(real_build, fresh, store_version_ttl=0.0, query_timeout=3.0)
    manifest = push(settings, report=lambda _line: None, grace=0)
    client = create_app(settings).test_client()
    fresh.stop()
    for path in ("/sparql?query=ASK%7B%7D", "/id/org/crfi.ttl", "/"):
        down = client.get(path)
        assert down.status_code == 503, path
        assert int(down.headers["Retry-After"]) > 0
    fresh.start()
    up = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    assert up.status_code == 200
    assert up.get_data(as_text=True).split()[1] == str(manifest.triples)


def test_a_query_over_its_budget_is_503_never_a_partial_200(fresh: Engine, real_build: Settings) -> None:
    """The engine stops it (Oxigraph's --timeout-s 1, Virtuoso's timeout parameter): never passed on."""
    settings = remote_settings(real_build, fresh, query_timeout=2.0)
    push(settings, report=lambda _line: None, grace=0)
    client = create_app(settings).test_client()
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": CARTESIAN}, headers={"Accept": "text/csv"})
    assert response.status_code == 503
    assert "Query stopped" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]
    assert time.monotonic() - started < 10
    after = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert after.status_code == 200


def test_no_update_reaches_the_store(engine: Engine, real_build: Settings) -> None:
    """Over the run's shared store (as tests/remote/test_hostile_remote.py): it reads the served version."""
    settings = remote_settings(real_build, engine)
    manifest = Manifest.read(real_build.current_store.resolve())
    client = create_app(settings).test_client()
    update = "DROP ALL"
    refused = [
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data=update, content_type="application/sparql-update"),
        client.post("/sparql", data={"query": update}),
        client.get("/sparql", query_string={"update": update}),
    ]
    assert all(400 <= r.status_code < 500 for r in refused), [r.status_code for r in refused]
    assert served(settings) == (manifest.version, manifest.triples)


def test_a_client_dataset_reads_only_the_served_version(engine: Engine, real_build: Settings) -> None:
    """Graph names: public in questions and answers; another version's or the record's never read."""
    settings = remote_settings(real_build, engine)
    manifest = Manifest.read(real_build.current_store.resolve())
    client = create_app(settings).test_client()
    graphs = client.get(
        "/sparql",
        query_string={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"},
        headers={"Accept": "text/csv"},
    )
    assert graphs.get_data(as_text=True).split()[1:] == sorted(manifest.graphs)
    hidden = [physical(g, manifest.version) for g in manifest.graphs]
    for name in (*hidden, "https://w3id.org/trotskyism/graph/record"):
        response = client.get(
            "/sparql",
            query_string={"query": COUNT, "default-graph-uri": name},
            headers={"Accept": "text/csv"},
        )
        assert response.get_data(as_text=True).split()[1] == "0", name
    asserted = "https://w3id.org/trotskyism/graph/asserted"
    response = client.get(
        "/sparql",
        query_string={"query": f"SELECT (COUNT(*) AS ?n) FROM <{asserted}> WHERE {{ ?s ?p ?o }}"},
        headers={"Accept": "text/csv"},
    )
    assert response.get_data(as_text=True).split()[1] == str(manifest.graphs[asserted])


def test_settings_reach_the_workers_by_the_naming_convention() -> None:
    from server.wsgi import to_environment

    env = to_environment(dataclasses.replace(Settings(), store_url="http://127.0.0.1:1/q", store_user="u"))
    assert env["TKG_STORE_URL"] == "http://127.0.0.1:1/q"
    assert env["TKG_STORE_USER"] == "u"
    assert env["TKG_STORE_GSP_URL"] == ""


def test_the_dumps_copied_from_the_store_outlive_a_killed_server_and_its_restart_reuses_the_copies(
    engine: Engine, tmp_path: Path
) -> None:
    """A front end's copy of the served version's dumps is a cache in its build directory
    (``TKG_CACHE_DIR`` unset), not a temporary directory per worker: a server killed with SIGKILL leaves
    no dumps in the temporary directory and no partial copy, and the next server serves the same
    copy without making it again."""
    front, temp = tmp_path / "front-end", tmp_path / "tmp"
    temp.mkdir()
    env = {**engine.env(), "TMPDIR": str(temp)}
    copies = front / "cache" / "remote"
    with tkg_serve(front, "--workers", "2", log=tmp_path / "first.log", **env) as first:
        listed = requests.get(f"{first.base}/dumps/", params={"format": "json"}, timeout=120).json()
        assert listed["dumps"], "no dumps listed"
        made = copies / listed["version"] / DUMPS / INDEX
        assert [p.name for p in copies.iterdir() if not p.name.startswith(".")] == [listed["version"]]
        before = made.stat()
        for pid in process_tree(first.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert not [p for p in temp.rglob("*") if p.name.endswith((".gz", INDEX))], "dumps left in TMPDIR"
    assert sorted(p.name for p in copies.iterdir()) == sorted([listed["version"], LOCK]), "partial copy left"
    with tkg_serve(front, "--workers", "2", log=tmp_path / "second.log", **env) as second:
        name = listed["dumps"][0]["name"]
        response = requests.get(f"{second.base}/dumps/{name}", timeout=60)
        assert response.status_code == 200
        assert response.content == (copies / listed["version"] / DUMPS / name).read_bytes()
    after = made.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), "the copy was made again"


def test_copies_of_a_version_the_store_no_longer_holds_whole_are_not_kept_and_old_copies_go(
    engine: Engine, real_build: Settings, tmp_path: Path
) -> None:
    """A copy outlives its process, so one made while a push removed its version (the store's graphs
    hold fewer triples than the record counts) is refused, not kept; and a new version's copy removes
    the older copies but the newest (which other front ends may still serve)."""
    settings = remote_settings(real_build, engine, cache_dir=tmp_path / "cache")
    store = RemoteStore(settings)
    current = store.current()
    copies = tmp_path / "cache" / "remote"
    copies.mkdir(parents=True)
    for age, old in enumerate(["older", "old"]):
        (copies / old).mkdir()
        os.utime(copies / old, (time.time() - 100 + age, time.time() - 100 + age))
    counted = {graph: count + 1 for graph, count in current.manifest.graphs.items()}
    overcounted = dataclasses.replace(current.manifest, graphs=counted)
    store._held = (time.monotonic(), dataclasses.replace(current, manifest=overcounted))
    with pytest.raises(StoreUnavailable):
        _ = store.directory
    assert sorted(p.name for p in copies.iterdir() if not p.name.startswith(".")) == ["old", "older"]
    store._held = (time.monotonic(), current)
    made = store.directory
    assert (made / DUMPS / INDEX).is_file()
    assert sorted(p.name for p in copies.iterdir() if not p.name.startswith(".")) == sorted(
        ["old", current.manifest.version]
    )
