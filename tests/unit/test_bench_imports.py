"""The benchmark is its own code: its modules run from a checkout without the test suite.

``bench.push`` is the one exception: it starts the remote stores the way the remote tests do
(``tests/remote/engines.py``, which also shares them between the test workers).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


#: Every module of ``bench`` but ``push`` (above) and ``__main__`` (importing it runs the benchmark).
MODULES = sorted(
    p.stem for p in (ROOT / "bench").glob("*.py") if p.stem not in ("__init__", "__main__", "push")
)


@pytest.mark.parametrize("module", MODULES)
def test_a_bench_module_imports_nothing_from_the_tests(module: str) -> None:
    probe = f"import sys, bench.{module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'tests'))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
