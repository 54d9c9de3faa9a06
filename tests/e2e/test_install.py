"""A repository that stands alone: a clone with nothing beside it, installed by ``pip install .``.

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


def test_a_lone_clone_installed_by_pip_builds_and_serves(tmp_path: Path) -> None:
    clone = tmp_path / "alone" / "tkg"
    run("git", "clone", "--quiet", ROOT, clone, cwd=tmp_path)
    assert not (clone.parent.parent / "shared").exists() and not (clone.parent / "shared").exists()
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    installed = run(venv / "bin" / "pip", "install", "--quiet", ".", cwd=clone)
    assert "is absent from the `packages` configuration" not in installed, installed[-2000:]
    where = run(
        venv / "bin" / "python",
        "-c",
        "import tkg, server; print(tkg.__file__, server.__file__)",
        cwd=tmp_path,
    )
    assert str(clone) not in where and "site-packages" in where, "the installed package is the one used"

    # the README's build command, run in the clone: the articles travel with it
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


def test_a_lone_clone_builds_with_the_readme_commands(tmp_path: Path) -> None:
    """``make build``, the first half of the README's ``make serve``, in a clone with nothing beside it."""
    clone = tmp_path / "alone" / "tkg"
    run("git", "clone", "--quiet", ROOT, clone, cwd=tmp_path)
    built = run("make", "build", f"PYTHON={sys.executable}", cwd=clone, timeout=1200)
    assert "built dataset version" in built
    assert (clone / "build" / "current" / "manifest.json").is_file()
