"""The canned-query pages, API, OpenAPI document, suggestions and pictures, over the real graph in Flask."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tkg.canned import CannedQuery, ParameterError, load_all, parse

pytestmark = pytest.mark.slow
ORG = "https://w3id.org/trotskyism/id/org/"
SVG_NS = "{http://www.w3.org/2000/svg}"


def test_gallery_lists_every_query_under_its_tags(client_real) -> None:
    response = client_real.get("/queries")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for query in load_all().values():
        assert f'href="/queries/{query.name}"' in html
        for tag in query.tags:
            assert f'id="tag-{tag}"' in html


def test_query_page_shows_a_table_of_labelled_links(client_real) -> None:
    html = client_real.get("/queries/splits-from?org=o:fourth-international").get_data(as_text=True)
    assert '<a href="/id/org/international-committee-of-the-fourth-international"' in html
    assert ">International Committee of the Fourth International</a>" in html
    assert "_org_iri" not in html.split("<table")[1].split("</table>")[0]  # parameter columns are hidden
    assert "format=csv" in html and "format=json" in html
    assert 'href="/editor?query=' in html
    assert "http://localhost/queries/splits-from?org=o%3Afourth-international" in html  # permalink


def test_labels_and_literals_are_escaped(client_real) -> None:
    html = client_real.get("/queries/capitulations").get_data(as_text=True)
    assert "The &#34;fourth wave&#34; of capitulation" in html or "The &quot;fourth wave&quot;" in html
    assert 'The "fourth wave" of capitulation' not in html.split("<table")[1]


def test_api_answers_json_and_csv(client_real) -> None:
    response = client_real.get(f"/api/queries/splits-from?org={ORG}fourth-international")
    assert response.mimetype == "application/sparql-results+json"
    results = {b["resultLabel"]["value"] for b in response.get_json()["results"]["bindings"]}
    assert results == {
        "International Committee of the Fourth International",
        "International Secretariat of the Fourth International",
    }
    response = client_real.get(
        "/api/queries/splits-from?org=o:fourth-international", headers={"Accept": "text/csv"}
    )
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["resultLabel"] for r in rows} == results
    download = client_real.get("/api/queries/fusions?format=csv&download=1")
    assert download.headers["Content-Disposition"] == 'attachment; filename="fusions.csv"'


def test_api_caches_by_etag(client_real) -> None:
    first = client_real.get("/api/queries/sources")
    again = client_real.get("/api/queries/sources", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_api_errors_say_what_is_wrong(client_real) -> None:
    assert client_real.get("/api/queries/no-such-query").status_code == 404
    response = client_real.get("/api/queries/timeline?from=nineteen")
    assert response.status_code == 400 and "from" in response.get_data(as_text=True)
    assert client_real.get("/api/queries/sources", headers={"Accept": "image/png"}).status_code == 406
    page = client_real.get("/queries/ancestors?org=not an iri")
    assert page.status_code == 400 and "is not an IRI" in page.get_data(as_text=True)
    missing = client_real.get("/queries/no-such-query")
    assert missing.status_code == 404 and "questions the graph answers</a>" in missing.get_data(as_text=True)


@pytest.mark.parametrize(
    "value",
    [
        f"{ORG}crfi> }} UNION {{ ?ancestor ?p ?o }} #",
        f'{ORG}crfi> . ?x ?y "',
        "org:crfi } INSERT DATA { <a:b> <a:c> <a:d> }",
    ],
)
def test_injection_through_a_parameter_is_refused(client_real, value: str) -> None:
    """A value is an RDF term or an error; it never becomes query text."""
    response = client_real.get("/api/queries/ancestors", query_string={"org": value})
    assert response.status_code == 400
    assert "not a valid IRI" in response.get_data(as_text=True) or "not an IRI" in response.get_data(
        as_text=True
    )


def test_string_values_are_bound_as_literals(client_real) -> None:
    """Quotes and braces in search text are just characters of a literal."""
    response = client_real.get("/api/suggest", query_string={"q": '" } UNION { ?item ?p ?o } #'})
    assert response.status_code == 200 and response.get_json() == []


def test_suggestions_find_organisations_by_part_of_a_name_or_acronym(client_real) -> None:
    found = client_real.get("/api/suggest?q=fourth").get_json()
    assert {"iri": ORG + "fourth-international", "label": "Fourth International"} in found
    by_acronym = [i["iri"] for i in client_real.get("/api/suggest?q=ICFI").get_json()]
    assert ORG + "international-committee-of-the-fourth-international" in by_acronym
    people = client_real.get(
        "/api/suggest?q=trotsky&class=https://w3id.org/trotskyism/ontology%23Person"
    ).get_json()
    assert people[0]["label"] == "Leon Trotsky"


@pytest.mark.parametrize("text", ["ouvriere", "emigres", "l.c.r.", "fourth", "ICFI"])
def test_the_pickers_and_the_search_page_find_the_same_organisations(client_real, text: str) -> None:
    """One index: what the picker suggests is what /search finds, organisations only, in its order."""
    suggested = [i["iri"] for i in client_real.get("/api/suggest", query_string={"q": text}).get_json()]
    found = client_real.get("/search", query_string={"q": text, "format": "json", "limit": 100}).get_json()
    organisations = [r["iri"] for r in found["results"] if r["kind"] == "org"]
    assert suggested, text
    assert suggested == organisations[: len(suggested)]


def test_openapi_document_is_valid_and_lists_every_query(client_real) -> None:
    doc = client_real.get("/api/openapi.json").get_json()
    validate(doc)
    assert set(doc["paths"]) == {f"/api/queries/{name}" for name in load_all()}
    params = {p["name"]: p for p in doc["paths"]["/api/queries/sections-at-date"]["get"]["parameters"]}
    assert params["year"]["schema"]["type"] == "integer"
    assert params["international"]["schema"]["format"] == "iri"


def svg_root(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    return ET.fromstring(response.data)


def test_family_tree_holds_ancestors_and_descendants_with_kinds_of_edges(client_real) -> None:
    root = svg_root(client_real, "/svg/family-tree/org/international-trotskyist-committee")
    nodes = {g.get("data-label") for g in root.iter(f"{SVG_NS}g") if "node" in (g.get("class") or "")}
    assert {
        "Workers Socialist League",
        "International Trotskyist Committee",
        "International Trotskyist Opposition",
    } <= nodes
    kinds = {g.get("data-kind") for g in root.iter(f"{SVG_NS}g") if (g.get("class") or "").startswith("edge")}
    assert {"Expulsion", "Split", "Founding"} <= kinds
    dashes = {
        g.get("data-kind"): g.find(f"{SVG_NS}path").get("stroke-dasharray")
        for g in root.iter(f"{SVG_NS}g")
        if (g.get("class") or "").startswith("edge")
    }
    assert dashes["Split"] and dashes["Split"] != dashes.get("Fusion")


@pytest.mark.parametrize(
    "slug",
    [
        "fourth-international",
        "crfi",
        "left-opposition",
        "international-committee-of-the-fourth-international",
        "movement-for-socialism-argentina",
    ],
)
def test_the_family_tree_draws_what_the_ancestors_and_descendants_queries_answer(
    client_real, real_store, slug: str
) -> None:
    """The picture draws from tkg.lineage; the canned queries are the reference it must agree with."""
    iri = ORG + slug
    nodes, kinds = {iri}, defaultdict(set)
    for name in ("ancestors", "descendants"):
        query = load_all()[name]
        for row in real_store.query(query.text, substitutions=query.bind({"org": iri})).solutions():
            nodes |= {row["ancestor"].value, row["derivative"].value}
            kinds[row["ancestor"].value, row["derivative"].value].add(row["kind"].value)
    svg = client_real.get(f"/svg/family-tree/org/{slug}").get_data(as_text=True)
    drawn_nodes = set(re.findall(r'class="node[^"]*" data-iri="([^"]+)"', svg))
    drawn_edges = {
        (a, b): k for k, a, b in re.findall(r'data-kind="([^"]+)" data-from="([^"]+)" data-to="([^"]+)"', svg)
    }
    assert len(nodes) > 1
    assert drawn_nodes == nodes
    assert set(drawn_edges) == set(kinds)
    assert all(kind in kinds[pair] for pair, kind in drawn_edges.items())


def test_family_tree_of_an_unknown_organisation_is_404_with_a_search_link(client_real) -> None:
    response = client_real.get("/svg/family-tree/org/no-such-party")
    assert response.status_code == 404 and "/search?q=" in response.get_data(as_text=True)


def test_timeline_and_positions_pictures(client_real) -> None:
    root = svg_root(client_real, "/svg/timeline?from=1953&to=1953")
    events = {g.get("data-iri") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "event"}
    assert "https://w3id.org/trotskyism/id/event/1953-split-of-the-fourth-international" in events
    assert client_real.get("/svg/timeline?from=1990&to=1980").status_code == 400
    root = svg_root(client_real, "/svg/positions")
    holders = {g.get("data-holder") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "stance"}
    assert "https://w3id.org/trotskyism/id/person/hugo-urbahns" in holders


def test_lineage_page_shows_the_family_tree(client_real) -> None:
    html = client_real.get("/queries/descendants?org=o:international-left-opposition").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="family-tree"' in html


def test_editor_link_carries_the_parameters_as_values(client_real) -> None:
    query = load_all()["ancestors"]
    text = query.editor_text(query.bind({"org": "o:crfi"}))
    assert f"VALUES (?_org_iri) {{ (<{ORG}crfi>) }}" in text
    assert client_real.get("/sparql", query_string={"query": text}).status_code == 200


def test_editor_is_served_with_local_assets(client_real) -> None:
    html = client_real.get("/editor").get_data(as_text=True)
    assert "/static/vendor/yasgui/yasgui.min.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert client_real.get("/static/vendor/yasgui/yasgui.min.js").status_code == 200
    prefixes = client_real.get("/api/prefixes").get_json()
    assert prefixes["tkg"] == "https://w3id.org/trotskyism/ontology#"


def test_header_parsing_and_typed_values(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(
        "#+ summary: A question?\n#+ tags: [a, b]\n#+ params:\n#+   year: {label: Year, default: 1930}\n"
        "SELECT ?_year_integer ?__who_iri WHERE { ?__who_iri ?p ?_year_integer }\n"
    )
    query: CannedQuery = parse(path)
    assert query.tags == ("a", "b")
    year, who = query.parameters
    assert (year.type, year.optional, year.default) == ("integer", False, "1930")
    assert (who.type, who.optional) == ("iri", True)
    assert str(query.bind({})["_year_integer"]) == '"1930"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert "_who_iri" not in query.bind({})
    with pytest.raises(ParameterError):
        query.bind({"year": "1930 } #"})
    path.write_text("#+ summary: x\nSELECT ?_a_colour WHERE {}\n")
    with pytest.raises(ValueError, match="unknown type"):
        parse(path)
