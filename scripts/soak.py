"""Soak test for long runs outside CI: serve, load for a long time, check memory stays flat.

    .venv/bin/python scripts/soak.py --minutes 30 --clients 16

Starts ``tkg serve`` on a free 127.0.0.1 port over the current build, sends
the mixed load of tests/e2e/test_load.py in rounds, and prints the resident memory
of the server's processes (granian workers and their query processes) after
each round. Exits non-zero if memory after the last round exceeds the first
round's by more than --growth (default 25 %), or if any request failed.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.test_load import mix
from tests.loadgen import run, tree_rss_kib


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--round-seconds", type=float, default=60)
    parser.add_argument("--growth", type=float, default=0.25)
    args = parser.parse_args()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "tkg.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.3)
        rounds = max(1, int(args.minutes * 60 / args.round_seconds))
        memory, failures = [], 0
        for n in range(rounds):
            result = run(base, mix(), args.clients, args.round_seconds, max_requests=10_000_000)
            failures += len(result.errors)
            memory.append(tree_rss_kib(server.pid))
            print(
                f"round {n + 1}/{rounds}: {result.summary()}; server RSS {memory[-1] / 1024:.0f} MiB",
                flush=True,
            )
        growth = (memory[-1] - memory[0]) / memory[0]
        print(f"memory growth from first to last round: {growth:+.1%}; failed requests: {failures}")
        return 0 if growth <= args.growth and failures == 0 else 1
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
