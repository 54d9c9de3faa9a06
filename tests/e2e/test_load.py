"""A bounded load test on 127.0.0.1: 32 clients over a mix of routes, zero errors.

Latency figures are printed, never asserted: speed is the benchmark's business. Judged by
correctness alone (every request answered within the load generator's 30 s timeout, for a fixed
8 s; ``TKG_LOAD_SECONDS`` runs it longer), so it runs in ``make test``'s parallel phase: a busy
machine makes it send fewer requests, not fail.
"""

from __future__ import annotations

import os

from bench.loadgen import mix, run


def test_bounded_load_has_zero_errors(live_server: str, capsys) -> None:
    seconds = float(os.environ.get("TKG_LOAD_SECONDS", "8"))
    result = run(live_server, mix(), clients=32, seconds=seconds, max_requests=20_000)
    with capsys.disabled():
        print(f"\nload (32 clients, {seconds:g} s, mixed routes): {result.summary()}")
    assert result.requests > 100
    assert not result.errors, result.errors[:10]
