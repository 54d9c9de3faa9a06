"""``pip install .`` brings every package the service imports: ``dependencies`` in pyproject.toml.

``tests/e2e/test_install.py`` builds and serves from a package installed by ``pip install .`` into
the venv ``make build`` made, without the dev extras, but reaches only the imports its requests run:
here a module of ``tkg`` or ``server`` importing a package that only a dev extra brings fails whether
or not any test reaches the import (a function's lazy import included).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib import metadata

from packaging.requirements import Requirement

from tkg.config import ROOT

OWN = {"tkg", "server"}


def canonical(name: str) -> str:
    """A distribution's name as pip compares them.

    >>> canonical("PyYAML"), canonical("zope.interface"), canonical("types_requests")
    ('pyyaml', 'zope-interface', 'types-requests')
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def needed(requirements: Iterable[str]) -> set[str]:
    """The distributions ``requirements`` install, with everything they require in turn (no extras)."""
    seen: set[str] = set()
    todo = [Requirement(text) for text in requirements]
    while todo:
        requirement = todo.pop()
        name = canonical(requirement.name)
        if name in seen or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        todo += [Requirement(text) for text in metadata.requires(name) or ()]
    return seen


def imported() -> set[str]:
    """The top-level packages that the modules of ``tkg`` and ``server`` import, less the standard library."""
    names: set[str] = set()
    for package in OWN:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - OWN


def test_every_package_the_service_imports_is_installed_by_its_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = needed(project["dependencies"])
    assert "flask" in runtime and "werkzeug" in runtime  # what Flask requires, too
    assert "hypothesis" not in runtime and "pytest" not in runtime  # the dev extras are not counted
    providers = metadata.packages_distributions()
    brought_by_dev_only = {
        name: providers.get(name)
        for name in sorted(imported())
        if not {canonical(d) for d in providers.get(name, ())} & runtime
    }
    assert imported() >= {"flask", "pyoxigraph", "rdflib"}
    assert not brought_by_dev_only, f"imported, but not installed by `pip install .`: {brought_by_dev_only}"
