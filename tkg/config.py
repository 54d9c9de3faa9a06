"""Where things are, and the service's limits; every setting can come from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _root() -> Path:
    """The repository: the folder beside the package in a clone (or an editable install), else the
    working directory, for a ``pip install .`` whose package lives in site-packages and is run from
    the repository (``tkg build`` there reads its ``ontology/``, ``data/`` and ``shapes/``)."""
    beside = Path(__file__).resolve().parent.parent
    return beside if (beside / "ontology").is_dir() else Path.cwd()


ROOT = _root()


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).resolve() if value else default


def _float(env: str, default: float) -> float:
    return float(os.environ.get(env, default))


def _int(env: str, default: int) -> int:
    return int(os.environ.get(env, default))


def _names(env: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A comma-separated list; ``default`` only when the variable is unset (empty: no names)."""
    value = os.environ.get(env)
    if value is None:
        return default
    return tuple(name.strip() for name in value.split(",") if name.strip())


def _base_iri() -> str:
    from .namespaces import BASE  # read once at import, from TKG_BASE_IRI

    return BASE


@dataclass(frozen=True)
class Settings:
    """Paths of the build's inputs and outputs, and the limits that protect the service."""

    ontology_dir: Path = field(default_factory=lambda: _path("TKG_ONTOLOGY_DIR", ROOT / "ontology"))
    data_dir: Path = field(default_factory=lambda: _path("TKG_DATA_DIR", ROOT / "data" / "ttl"))
    shapes_dir: Path = field(default_factory=lambda: _path("TKG_SHAPES_DIR", ROOT / "shapes"))
    #: The articles the quotes are checked against; a copy travels with the repository.
    seeds_dir: Path = field(default_factory=lambda: _path("TKG_SEEDS_DIR", ROOT / "data" / "articles"))
    build_dir: Path = field(default_factory=lambda: _path("TKG_BUILD_DIR", ROOT / "build"))
    #: Seconds a query may run before its process is killed.
    query_timeout: float = field(default_factory=lambda: _float("TKG_QUERY_TIMEOUT", 10.0))
    #: Rows (or triples) a result may have.
    max_rows: int = field(default_factory=lambda: _int("TKG_MAX_ROWS", 100_000))
    #: Bytes a serialized result may have.
    max_result_bytes: int = field(default_factory=lambda: _int("TKG_MAX_RESULT_BYTES", 50_000_000))
    #: Bytes a request body may have (larger: 413).
    max_body_bytes: int = field(default_factory=lambda: _int("TKG_MAX_BODY_BYTES", 100_000))
    #: Idle query processes each web worker keeps ready.
    query_processes: int = field(default_factory=lambda: _int("TKG_QUERY_PROCESSES", 2))
    #: Query processes each web worker may run at once (a burst grows the pool up to this).
    max_query_processes: int = field(default_factory=lambda: _int("TKG_MAX_QUERY_PROCESSES", 16))
    #: Whether the query processes answer from an in-memory copy of the store (``TKG_STORE_IN_MEMORY=0``:
    #: from the on-disk store, for graphs too big for memory).
    store_in_memory: bool = field(
        default_factory=lambda: (
            os.environ.get("TKG_STORE_IN_MEMORY", "1").strip().lower() not in ("0", "false", "no", "off")
        )
    )
    #: Hosts that SERVICE may call (comma-separated); empty refuses every SERVICE.
    service_hosts: tuple[str, ...] = field(default_factory=lambda: _names("TKG_SERVICE_HOSTS"))
    #: Hosts of ``service_hosts`` that may resolve to loopback, link-local or private addresses.
    service_private_hosts: tuple[str, ...] = field(
        default_factory=lambda: _names("TKG_SERVICE_PRIVATE_HOSTS")
    )
    #: Seconds of query time each client may spend per ``client_window`` (0: no budget).
    client_budget: float = field(default_factory=lambda: _float("TKG_CLIENT_BUDGET", 60.0))
    #: Seconds over which a client's budget comes back.
    client_window: float = field(default_factory=lambda: _float("TKG_CLIENT_WINDOW", 60.0))
    #: Queries one client may run at once (more: 429).
    client_queries: int = field(default_factory=lambda: _int("TKG_CLIENT_QUERIES", 8))
    #: Client addresses without a budget: by default the machine itself (operators, benchmarks).
    budget_exempt: tuple[str, ...] = field(
        default_factory=lambda: _names("TKG_BUDGET_EXEMPT", ("127.0.0.1", "::1"))
    )
    #: The file the web workers share their clients' budgets in (``tkg serve`` makes one when unset).
    budget_file: Path | None = field(
        default_factory=lambda: Path(v).resolve() if (v := os.environ.get("TKG_BUDGET_FILE")) else None
    )
    #: Queries the ``/sparql`` fast path runs at once; more wait their turn on their worker's loop.
    #: Below 0 (the default): each worker runs max(2, CPUs) of its own. 0 or more: all web workers
    #: together run that many (0: the CPUs + 1), shared through a FIFO; in a quiet A/B (bench/README)
    #: that cost 16-30 % of the requests a second and did not lower the median p99 at 32 clients.
    query_turns: int = field(default_factory=lambda: _int("TKG_QUERY_TURNS", -1))
    #: The FIFO those turns are shared in (``tkg serve`` makes one; unset: each worker has its own turns).
    turns_file: Path | None = field(
        default_factory=lambda: Path(v).resolve() if (v := os.environ.get("TKG_TURNS_FILE")) else None
    )
    #: Proxies (addresses or networks) whose ``X-Forwarded-For`` names the client.
    trusted_proxies: tuple[str, ...] = field(default_factory=lambda: _names("TKG_TRUSTED_PROXIES"))
    #: ``Host`` names answered when ``public_url`` is unset (``.example.org``: with its subdomains).
    allowed_hosts: tuple[str, ...] = field(
        default_factory=lambda: _names("TKG_ALLOWED_HOSTS", ("127.0.0.1", "localhost", "::1"))
    )
    #: Megabytes of serialised answers each web worker keeps for repeated queries (0: no cache).
    answer_cache_mb: int = field(default_factory=lambda: _int("TKG_ANSWER_CACHE_MB", 64))
    #: Megabytes of whole responses each web worker answers repeated GETs from, before Flask (0: none).
    edge_cache_mb: int = field(default_factory=lambda: _int("TKG_EDGE_CACHE_MB", 64))
    #: Whether ``tkg serve`` answers ``/sparql`` query requests on its event loop, without Flask
    #: (``TKG_FAST_SPARQL=0``: every request through Flask, as under WSGI).
    fast_sparql: bool = field(
        default_factory=lambda: (
            os.environ.get("TKG_FAST_SPARQL", "1").strip().lower() not in ("0", "false", "no", "off")
        )
    )
    #: Seconds caches may keep an answer (it only changes with a build).
    cache_max_age: int = field(default_factory=lambda: _int("TKG_CACHE_MAX_AGE", 300))

    #: The URL the service is reached at (``https://example.org/tkg``) for absolute links (TKG_PUBLIC_URL).
    public_url: str | None = field(
        default_factory=lambda: os.environ.get("TKG_PUBLIC_URL", "").rstrip("/") or None
    )

    #: A remote SPARQL 1.1 query endpoint that ``tkg serve`` answers from instead of the built store.
    store_url: str | None = field(default_factory=lambda: os.environ.get("TKG_STORE_URL", "").strip() or None)
    #: That store's Graph Store Protocol endpoint, which ``tkg build --push`` writes to.
    store_gsp_url: str | None = field(
        default_factory=lambda: os.environ.get("TKG_STORE_GSP_URL", "").strip() or None
    )
    #: Credentials for the push, where the store asks for them (HTTP Basic or Digest).
    store_user: str | None = field(default_factory=lambda: os.environ.get("TKG_STORE_USER") or None)
    store_password: str | None = field(
        default_factory=lambda: os.environ.get("TKG_STORE_PASSWORD") or None, repr=False
    )
    #: Seconds a front end trusts the version it read from the remote store before reading it again.
    store_version_ttl: float = field(default_factory=lambda: _float("TKG_STORE_VERSION_TTL", 2.0))
    #: Where a front end keeps what it makes from a remote store (the served version's dumps), shared by
    #: its workers and kept across restarts; unset: ``cache`` in the build directory (:attr:`caches`).
    cache_dir: Path | None = field(
        default_factory=lambda: Path(v).resolve() if (v := os.environ.get("TKG_CACHE_DIR")) else None
    )

    #: The namespace this deployment mints and answers for (TKG_BASE_IRI; :mod:`tkg.namespaces`).
    base_iri: str = field(default_factory=lambda: _base_iri())

    def check_base(self) -> None:
        """Refuse a ``base_iri`` other than the one :mod:`tkg.namespaces` read from the environment
        at import: the modules' constants would disagree with it."""
        if self.base_iri != _base_iri():
            raise ValueError(
                f"base_iri {self.base_iri!r} is not TKG_BASE_IRI of this process ({_base_iri()!r}):"
                " set TKG_BASE_IRI in the environment before starting tkg"
            )

    @property
    def caches(self) -> Path:
        """The cache directory: ``cache_dir``, or ``cache`` in the build directory."""
        return self.cache_dir or self.build_dir / "cache"

    @property
    def current_store(self) -> Path:
        """The symlink that always points at the last complete store."""
        return self.build_dir / "current"
