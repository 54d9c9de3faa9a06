"""``bench.cpu`` is bench code: it runs from a checkout or an install without the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_cpu_bench_imports_nothing_from_the_tests() -> None:
    probe = "import sys, bench.cpu; print(sorted(m for m in sys.modules if m.split('.')[0] == 'tests'))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
