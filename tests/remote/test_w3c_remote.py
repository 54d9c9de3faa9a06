"""The W3C SPARQL 1.1 Protocol suite (``tests/e2e/test_w3c_protocol.py``) over each remote store.

Each set of test graphs is built as over the embedded store, pushed into a store of its own (one
dataset version per store), and the manifest's requests are replayed through the app over it. The
stores are started and pushed once per run, shared by the xdist workers (``engines.shared``).
"""

from __future__ import annotations

import pytest
from rdflib import Graph

from server import create_app
from tests.conftest import make_settings, run_root
from tests.e2e.test_w3c_protocol import TESTS, test_w3c_protocol  # noqa: F401
from tests.remote.conftest import remote_settings
from tests.remote.engines import ENGINES, Engine, shared
from tkg.push import push
from tkg.storage import swap_current, write_store


@pytest.fixture(scope="module", params=ENGINES)
def clients(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One store of the engine per distinct set of test graphs, and the app over it."""
    made = {}
    for test in TESTS:
        key = frozenset(test.graphs)
        if key in made:
            continue
        version = "w3c-" + str(len(made))
        build_dir = tmp_path_factory.mktemp("w3c") / "build"
        graphs = {iri: Graph().parse(path, format="nt") for iri, path in test.graphs.items()}
        swap_current(build_dir, write_store(build_dir, version, graphs, {}))

        def push_graphs(engine: Engine, build_dir=build_dir) -> None:
            push(remote_settings(make_settings(build_dir), engine), report=lambda _line: None, grace=0)

        engine = shared(request.param, run_root(tmp_path_factory), push_graphs, role="-" + version)
        made[key] = create_app(remote_settings(make_settings(build_dir), engine)).test_client()
    return made
