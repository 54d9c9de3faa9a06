"""A bounded load test on 127.0.0.1: 32 clients over a mix of routes, zero errors.

Latency figures are printed, never asserted: speed is the benchmark's business. Judged by
correctness alone (every request answered within the load generator's 30 s timeout, for a fixed
8 s; ``TKG_LOAD_SECONDS`` runs it longer), so it runs in ``make test``'s parallel phase: a busy
machine makes it send fewer requests, not fail.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.loadgen import mix, run
from tests.conftest import tkg_serve
from tkg.config import Settings


def test_bounded_load_has_zero_errors(real_build: Settings, tmp_path: Path, capsys) -> None:
    """On a server of its own: the run's shared one (``live_server``) answers other tests meanwhile."""
    seconds = float(os.environ.get("TKG_LOAD_SECONDS", "8"))
    with tkg_serve(real_build.build_dir, "--workers", "1", log=tmp_path / "server.log") as server:
        result = run(server.base, mix(), clients=32, seconds=seconds, max_requests=20_000)
    with capsys.disabled():
        print(f"\nload (32 clients, {seconds:g} s, mixed routes): {result.summary()}")
    assert result.requests > 100
    assert not result.errors, result.errors[:10]
