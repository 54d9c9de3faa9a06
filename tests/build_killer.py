"""Run one build per failpoint, each in a child forked from this clean process, and print how each died.

Forking from the test process itself is unsafe: it has RocksDB stores open whose
background threads hold locks a child would inherit. This process opens no store
before it forks, and starting it once costs one interpreter for every point.
Usage: ``python -m tests.build_killer BUILD_DIR DATA_DIR SEEDS_DIR POINT`` per line on stdin.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.conftest import make_settings
from tkg import failpoints
from tkg.build import build


def main() -> None:
    for line in sys.stdin:
        build_dir, data_dir, seeds_dir, point = line.split()
        settings = make_settings(Path(build_dir), Path(data_dir), Path(seeds_dir))
        pid = os.fork()
        if pid == 0:
            try:
                os.environ[failpoints.ENV] = point
                build(settings, report=lambda _line: None)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        print(point, os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0, flush=True)


if __name__ == "__main__":
    main()
