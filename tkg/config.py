"""Where things are, and the service's limits; every setting can come from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """Paths of the build's inputs and outputs, and the base IRI the server answers for."""

    ontology_dir: Path = field(default_factory=lambda: _path("TKG_ONTOLOGY_DIR", ROOT / "ontology"))
    data_dir: Path = field(default_factory=lambda: _path("TKG_DATA_DIR", ROOT / "data" / "ttl"))
    shapes_dir: Path = field(default_factory=lambda: _path("TKG_SHAPES_DIR", ROOT / "shapes"))
    seeds_dir: Path = field(default_factory=lambda: _path("TKG_SEEDS_DIR", ROOT.parent / "shared" / "seeds"))
    build_dir: Path = field(default_factory=lambda: _path("TKG_BUILD_DIR", ROOT / "build"))
    base_iri: str = field(
        default_factory=lambda: os.environ.get("TKG_BASE_IRI", "https://w3id.org/trotskyism/")
    )

    @property
    def current_store(self) -> Path:
        """The symlink that always points at the last complete store."""
        return self.build_dir / "current"
