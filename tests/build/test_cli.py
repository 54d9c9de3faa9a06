"""The tkg command as a user runs it."""

from __future__ import annotations

from tests.conftest import make_settings
from tests.conftest import run_cli as run
from tkg.config import Settings


def test_query_ask_prints_true(real_build: Settings) -> None:
    result = run(
        real_build,
        "query",
        "PREFIX tkg: <https://w3id.org/trotskyism/ontology#> ASK { "
        "<https://w3id.org/trotskyism/id/org/crfi> tkg:descendsFrom "
        "<https://w3id.org/trotskyism/id/org/workers-socialist-league> }",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "true"


def test_query_select_prints_tsv(real_build: Settings) -> None:
    result = run(
        real_build, "query", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    assert result.returncode == 0
    assert "graph/inferred" in result.stdout and result.stdout.startswith("?g\t?n")


def test_query_formats_are_the_registry_s_short_names_or_media_types(real_build: Settings) -> None:
    select = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    as_csv = run(real_build, "query", "--format", "csv", select)
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.startswith("g,n") and "graph/inferred" in as_csv.stdout
    as_json = run(real_build, "query", "--format", "application/sparql-results+json", select)
    assert as_json.returncode == 0 and '"vars":["g","n"]' in as_json.stdout.replace(" ", "")
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
    as_nt = run(real_build, "query", "--format", "nt", construct)
    assert as_nt.returncode == 0 and as_nt.stdout.rstrip().endswith(" .")
    refused = run(real_build, "query", "--format", "csv", construct)
    assert refused.returncode == 2 and "turtle (text/turtle)" in refused.stderr


def test_malformed_query_exits_1(real_build: Settings) -> None:
    result = run(real_build, "query", "SELECT WHERE")
    assert result.returncode == 1 and "malformed query" in result.stderr


def test_build_with_broken_turtle_reports_file_and_line(fixture_settings: Settings) -> None:
    assert run(fixture_settings, "build").returncode == 0
    (fixture_settings.data_dir / "zz-broken.ttl").write_text("@prefix ex: <http://ex/> .\nex:a ex:b .\n")
    result = run(fixture_settings, "build")
    assert result.returncode == 1
    assert "zz-broken.ttl:2" in result.stderr
    assert "previous store" in result.stderr
    assert run(fixture_settings, "query", "ASK { ?s ?p ?o }").stdout.strip() == "true"


def test_validate_reports_valid(fixture_settings: Settings) -> None:
    result = run(fixture_settings, "validate")
    assert result.returncode == 0 and "valid:" in result.stdout


def test_serve_refuses_a_missing_store(tmp_path) -> None:
    result = run(make_settings(tmp_path / "empty"), "serve", "--port", "1")
    assert result.returncode == 2 and "run `tkg build` first" in result.stderr
