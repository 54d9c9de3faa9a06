"""``TKG_BASE_IRI``: a deployment built and served under its own namespace answers only with its IRIs.

The base is read once per process (:mod:`tkg.namespaces`), so the other deployment is built and
served by ``tkg`` subprocesses, as an operator runs them; the default build is this process's.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, URIRef

from tests.conftest import cli_env, made_once, make_settings, tkg_serve
from tkg import __version__
from tkg.build import input_files
from tkg.config import Settings
from tkg.evidence import Articles
from tkg.namespaces import CANONICAL
from tkg.storage import Manifest

NEW = "http://example.org/kg/"
TKG = CANONICAL + "ontology#"


@dataclass
class Deployment:
    build_dir: Path
    version: str
    base: str  # the server's URL


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """The real data built with ``TKG_BASE_IRI=http://example.org/kg/`` (once per run: the workers that
    draw these tests share it, :func:`tests.conftest.made_once`) and served by each."""

    def built(root: Path) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "tkg.cli", "build"],
            env={**cli_env(make_settings(root / "build")), "TKG_BASE_IRI": NEW},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    settings = make_settings(made_once(tmp_path_factory, "base-iri", built) / "build")
    version = Manifest.read(settings.current_store.resolve()).version
    log = tmp_path_factory.mktemp("base-iri") / "server.log"
    with tkg_serve(settings.build_dir, "--workers", "1", log=log, TKG_BASE_IRI=NEW) as server:
        yield Deployment(settings.build_dir, version, server.base)


def test_an_iri_dereferences_to_rdf_about_the_new_iri_only(deployment: Deployment) -> None:
    response = requests.get(
        deployment.base + "/id/org/fourth-international", headers={"Accept": "text/turtle"}, timeout=30
    )
    assert response.status_code == 200, response.text[:500]
    assert response.history and response.history[0].status_code == 303
    assert "https://w3id.org/trotskyism/id/" not in response.text
    graph = Graph().parse(data=response.text, format="turtle")
    subject = URIRef(NEW + "id/org/fourth-international")
    assert (subject, None, None) in graph
    assert (subject, URIRef(TKG + "hasDerivative"), None) in graph  # the ontology terms stay


def test_sparql_finds_lineage_among_the_new_iris(deployment: Deployment) -> None:
    crfi, wsl = f"<{NEW}id/org/crfi>", f"<{NEW}id/org/workers-socialist-league>"
    query = f"PREFIX tkg: <{TKG}> ASK {{ {crfi} tkg:descendsFrom {wsl} }}"
    response = requests.get(
        deployment.base + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:500]
    assert response.json()["boolean"] is True
    # The `o:` prefix the app offers (editor, canned queries) is the deployment's too.
    prefixes = requests.get(deployment.base + "/api/prefixes", timeout=30)
    assert prefixes.status_code == 200
    assert NEW + "id/org/" in prefixes.text and "https://w3id.org/trotskyism/id/" not in prefixes.text


def test_a_canned_query_runs_with_its_default_parameter(deployment: Deployment) -> None:
    response = requests.get(
        deployment.base + "/api/queries/splits-from", params={"format": "json"}, timeout=30
    )
    assert response.status_code == 200, response.text[:500]
    rows = response.json()["results"]["bindings"]
    assert rows
    assert all(row["result"]["value"].startswith(NEW + "id/org/") for row in rows if "result" in row)
    page = requests.get(deployment.base + "/queries/splits-from", timeout=30)
    assert page.status_code == 200 and "/id/org/" in page.text


def test_void_and_reconciliation_name_the_new_space(deployment: Deployment) -> None:
    void = requests.get(deployment.base + "/void", headers={"Accept": "text/turtle"}, timeout=30)
    graph = Graph().parse(data=void.text, format="turtle")
    spaces = set(graph.objects(None, URIRef("http://rdfs.org/ns/void#uriSpace")))
    assert spaces == {Literal(NEW + "id/")}
    manifest = requests.get(deployment.base + "/reconcile", timeout=30).json()
    assert manifest["identifierSpace"].startswith(NEW)
    assert manifest["schemaSpace"] == TKG


def test_search_still_finds_the_ontology_terms_and_the_new_instances(deployment: Deployment) -> None:
    found = requests.get(
        deployment.base + "/search", params={"q": "split", "format": "json"}, timeout=30
    ).json()
    iris = {hit["iri"] for hit in found["results"]}
    assert TKG + "Split" in iris
    people = requests.get(deployment.base + "/search", params={"q": "cannon", "format": "json"}, timeout=30)
    assert NEW + "id/person/james-p-cannon" in {hit["iri"] for hit in people.json()["results"]}


def _quads(build_dir: Path, base: str) -> set[str]:
    """The store's N-Quads dump without blank nodes (their labels vary), ``base`` read as canonical."""
    dump = build_dir / "current" / "dumps" / "trotskyism.nq.gz"
    with gzip.open(dump, "rt", encoding="utf-8") as lines:
        return {line.replace(base, CANONICAL) if base else line for line in lines if "_:" not in line}


def test_the_store_is_the_default_one_rebased_and_versioned_apart(
    deployment: Deployment, real_build: Settings
) -> None:
    own = _quads(deployment.build_dir, "")
    assert not any("https://w3id.org/trotskyism/id/" in q or "w3id.org/trotskyism/graph/" in q for q in own)
    assert _quads(deployment.build_dir, NEW) == _quads(real_build.build_dir, CANONICAL)
    default = Manifest.read(real_build.current_store.resolve()).version
    assert deployment.version != default


def test_the_default_build_keeps_the_version_it_had_before_the_setting(real_build: Settings) -> None:
    """The version is main's hash of the inputs (code version, files, articles), the base not in it."""
    assert "TKG_BASE_IRI" not in os.environ
    h = hashlib.sha256(__version__.encode())
    for path in input_files(real_build):
        h.update(str(path.relative_to(path.parent.parent)).encode())
        h.update(path.read_bytes())
    h.update(Articles(real_build.seeds_dir).digest().encode())
    assert Manifest.read(real_build.current_store.resolve()).version == h.hexdigest()[:16]


def test_an_explicit_default_base_builds_the_same_version(tmp_path: Path, real_build: Settings) -> None:
    settings = make_settings(tmp_path / "build")
    built = subprocess.run(
        [sys.executable, "-m", "tkg.cli", "build"],
        env={**cli_env(settings), "TKG_BASE_IRI": CANONICAL.rstrip("/")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    version = Manifest.read(settings.current_store.resolve()).version
    assert version == Manifest.read(real_build.current_store.resolve()).version


def test_settings_that_disagree_with_the_process_base_are_refused() -> None:
    with pytest.raises(ValueError, match="TKG_BASE_IRI"):
        Settings(base_iri=NEW).check_base()


def test_queries_are_rebased_on_iris_never_in_strings() -> None:
    """The app's and the canned queries' IRIs move; a string that spells the old base does not."""
    script = """
from tkg.sparql_text import rebase_query
from tkg.canned import load_all
q = 'PREFIX o: <https://w3id.org/trotskyism/id/org/> SELECT * { ?s ?p "https://w3id.org/trotskyism/id/x" }'
print(rebase_query(q))
print(load_all()["splits-from"].parameters[0].default)
print("w3id.org/trotskyism/id/" in load_all()["splits-from"].text.split("PREFIX", 1)[1])
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "TKG_BASE_IRI": NEW},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    query, default, leftover = done.stdout.splitlines()
    assert query == f'PREFIX o: <{NEW}id/org/> SELECT * {{ ?s ?p "https://w3id.org/trotskyism/id/x" }}'
    assert default == NEW + "id/org/fourth-international"
    assert leftover == "False"
