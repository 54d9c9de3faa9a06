"""How long ``tkg push`` takes into each remote store: ``python -m bench.push [BUILD_DIR ...]``.

Each engine is started empty on 127.0.0.1 (as the remote-mode tests start it), the build in each
``BUILD_DIR`` (default: this checkout's ``build/``) is pushed into it with the default chunk size, and
the wall time of the push (upload, size check, switch; no grace) is printed with the triples per second.
With several builds, each push after the first also switches and removes the previous version.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

from tests.remote.engines import ENGINES, running
from tkg.config import Settings
from tkg.push import push


def main(argv: list[str]) -> None:
    builds = [Path(a) for a in argv] or [Settings().build_dir]
    for name in ENGINES:
        with tempfile.TemporaryDirectory() as tmp, running(name, Path(tmp) / name, timeout=60) as engine:
            for build_dir in builds:
                settings = dataclasses.replace(
                    Settings(),
                    build_dir=build_dir,
                    store_url=engine.query_url,
                    store_gsp_url=engine.gsp_url,
                    store_user=engine.user,
                    store_password=engine.password,
                    query_timeout=600,
                )
                started = time.monotonic()
                manifest = push(settings, report=lambda _line: None, grace=0)
                took = time.monotonic() - started
                rate = manifest.triples / took
                print(f"{name:9} {build_dir}: {manifest.triples} triples in {took:.1f} s ({rate:,.0f}/s)")


if __name__ == "__main__":
    main(sys.argv[1:])
