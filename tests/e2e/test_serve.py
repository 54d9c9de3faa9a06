"""``tkg serve`` under granian: settings reach the workers, the access log, a graceful stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from server.wsgi import to_environment
from tests.conftest import free_port
from tests.e2e.test_slow_clients import wait_until_up
from tkg.config import Settings


def test_every_setting_survives_the_trip_through_the_environment(monkeypatch, tmp_path: Path) -> None:
    changed = Settings(
        build_dir=tmp_path / "b",
        query_timeout=1.5,
        max_rows=7,
        max_body_bytes=123,
        service_hosts=("a.example", "b.example"),
        answer_cache_mb=0,
    )
    env = to_environment(changed)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings().max_rows == 7 and Settings().service_hosts == ("a.example", "b.example")
    assert Settings().public_url is None  # unset stays unset, not the text "None"
    assert to_environment(Settings()) == env  # paths compare resolved, as a worker reads them


@pytest.mark.parametrize("access_log", [True, False])
def test_serve_prints_its_dataset_and_url_logs_requests_and_stops_on_sigterm(
    real_build: Settings, tmp_path: Path, access_log: bool
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    flag = "--access-log" if access_log else "--no-access-log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "tkg.cli", "serve", "--port", str(port), "--workers", "1", flag],
            env={**os.environ, "TKG_BUILD_DIR": str(real_build.build_dir)},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(port, process)
        assert requests.get(f"http://127.0.0.1:{port}/sparql?query=ASK%20%7B%7D", timeout=10).ok
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    output = log.read_text()
    version = json.loads((real_build.current_store / "manifest.json").read_text())["version"]
    assert code == 0, output
    assert f"serving dataset {version} " in output and f"on http://127.0.0.1:{port}/" in output
    assert ('"GET /sparql HTTP/1.1" 200' in output) is access_log


def test_serve_under_a_url_prefix(real_build: Settings) -> None:
    """``SCRIPT_NAME`` in the environment mounts the service under that prefix, as under gunicorn."""
    port = free_port()
    env = {**os.environ, "TKG_BUILD_DIR": str(real_build.build_dir), "SCRIPT_NAME": "/kg"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tkg.cli", "serve", "--port", str(port), "--workers", "1", "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, process)
        base = f"http://127.0.0.1:{port}/kg"
        answer = requests.get(base + "/sparql", params={"query": "ASK {}", "format": "json"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        moved = requests.get(base + "/id/org/fourth-international", allow_redirects=False, timeout=10)
        assert moved.status_code == 303 and moved.headers["Location"].startswith("/kg/id/org/")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
