"""A repository that stands alone: a clone with nothing beside it, built by ``make build`` and
installed by ``pip install .``.

Whoever clones the repository from its public home has no ``../shared`` beside it, and whoever
installs it with pip (not editable) gets the package in site-packages, away from the source tree.
The clone is made from this repository's committed ``HEAD`` into a folder with nothing else in it;
the venv is new and has only what ``pyproject.toml`` installs. Slow (a venv and an install): e2e.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.conftest import tkg_serve
from tkg.config import ROOT

#: The environment of a newcomer: none of this test run's own settings.
CLEAN = {name: value for name, value in os.environ.items() if not name.startswith("TKG_")}


def run(*args: str | Path, cwd: Path, timeout: float = 600, **env: str) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**CLEAN, **env},
    )
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def test_a_lone_clone_builds_with_make_build_and_serves_once_installed_by_pip(tmp_path: Path) -> None:
    """``make build`` (the README's ``make serve``, first half), then ``pip install .``, in one lone clone.

    One clone and one venv for both (each had its own, and ``make test`` spent most of its install
    time here): ``make build`` makes the venv as a newcomer's, with the dependencies alone (no dev
    extras: what ``make serve`` installs), and builds; ``pip install .`` then replaces the editable
    install with the package as pip builds it, which must hold every file it needs to build and serve
    away from the source tree.
    """
    clone = tmp_path / "alone" / "tkg"
    run("git", "clone", "--quiet", ROOT, clone, cwd=tmp_path)
    assert not (clone.parent.parent / "shared").exists() and not (clone.parent / "shared").exists()
    built = run("make", "build", f"PYTHON={sys.executable}", cwd=clone, timeout=1200)
    assert "built dataset version" in built
    dev = subprocess.run([clone / ".venv" / "bin" / "pip", "show", "pytest"], capture_output=True, env=CLEAN)
    assert dev.returncode == 1, "make build installed the dev extras"  # pip show: 1 when not installed
    assert (clone / "build" / "current" / "manifest.json").is_file()

    venv = clone / ".venv"
    installed = run(venv / "bin" / "pip", "install", "--quiet", "--no-deps", ".", cwd=clone)
    assert "is absent from the `packages` configuration" not in installed, installed[-2000:]
    where = run(
        venv / "bin" / "python",
        "-c",
        "import tkg, server; print(tkg.__file__, server.__file__)",
        cwd=tmp_path,
    )
    site_packages = next((venv / "lib").glob("python*/site-packages"))
    assert all(Path(path).is_relative_to(site_packages) for path in where.split()), where  # not the clone

    # the README's build command, run in the clone by the installed package: the articles travel with it
    built = run(venv / "bin" / "tkg", "build", cwd=clone, TKG_BUILD_DIR=str(tmp_path / "build"))
    assert "built dataset version" in built

    # served from the installed package: templates, static files, queries, pictures, reconciliation
    log = tmp_path / "serve.log"
    with tkg_serve(
        tmp_path / "build", "--workers", "1", log=log, command=(str(venv / "bin" / "tkg"),), cwd=clone
    ) as server:
        page = requests.get(server.base + "/id/org/crfi.html", timeout=30)
        assert page.status_code == 200 and "Refoundation of the Fourth International" in page.text
        css = requests.get(server.base + "/static/canned.css", timeout=30)
        assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
        assert requests.get(server.base + "/queries", timeout=30).status_code == 200
        svg = requests.get(server.base + "/svg/family-tree/org/crfi", timeout=30)
        assert svg.status_code == 200 and "<svg" in svg.text
        manifest = requests.get(server.base + "/reconcile", timeout=30).json()
        assert manifest["versions"] == ["0.2"]
