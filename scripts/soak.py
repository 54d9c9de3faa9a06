"""The soak outside the benchmark: serve the current build, load it for a long time, memory must stay flat.

    .venv/bin/python scripts/soak.py --minutes 30 --clients 16

The load and the figures are the benchmark's soak (:mod:`bench.soak`, also run
by ``python -m bench`` and alone by ``python -m bench --soak-only``). Exits
non-zero if memory after the last round exceeds the first round's by more than
``--growth`` (default 25 %), or if any request failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.soak import markdown, soak
from tkg.config import Settings


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--round-seconds", type=float, default=60)
    parser.add_argument("--growth", type=float, default=0.25)
    args = parser.parse_args()
    data = soak(Settings().build_dir, args.minutes, args.clients, args.round_seconds, growth=args.growth)
    print("\n".join(markdown(data)))
    print(json.dumps({k: v for k, v in data.items() if k != "rounds"}))
    return 0 if data["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
