"""Canned-query files: the header, typed parameters turned into RDF terms, never text."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from tkg.canned import ParameterError, by_tag, expand_iri, load_all, parse

QUERY = """#+ summary: Organisations of a country founded after a year
#+ tags: [places, time]
#+ params:
#+   country: {label: Country, class: "tkg:Country", default: "country:france"}
#+   after: {label: After, default: 1920}
SELECT ?org WHERE {
  ?org <https://w3id.org/trotskyism/ontology#country> ?_country_iri ;
       <https://w3id.org/trotskyism/ontology#founded> ?founded .
  FILTER (YEAR(?founded) > ?_after_integer && (!BOUND(?__name_string) || ?__name_string != ""))
  # ?_commented_iri is not a parameter: it is in a comment
}
"""


@pytest.fixture
def query(tmp_path: Path):
    path = tmp_path / "organisations-after.rq"
    path.write_text(QUERY, encoding="utf-8")
    return parse(path)


def test_the_header_and_the_typed_variables_make_the_parameters(query) -> None:
    assert query.summary == "Organisations of a country founded after a year"
    assert query.tags == ("places", "time")
    assert query.kind == "bindings"
    names = [(p.name, p.type, p.optional) for p in query.parameters]
    assert names == [("country", "iri", False), ("after", "integer", False), ("name", "string", True)]
    country = query.parameters[0]
    assert country.rdf_class == "https://w3id.org/trotskyism/ontology#Country"
    assert country.default == "country:france"


def test_values_become_terms_with_defaults_and_prefixed_names(query) -> None:
    bound = query.bind({"after": " 1930 "})
    assert bound == {
        "_country_iri": ox.NamedNode("https://w3id.org/trotskyism/id/country/france"),
        "_after_integer": ox.Literal(
            "1930", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        ),
    }
    assert query.values({"after": "1930"}) == {"country": "country:france", "after": "1930"}
    with_name = query.bind({"name": 'x" } ; DROP ALL #'})
    assert with_name["__name_string"].value == 'x" } ; DROP ALL #'  # a literal's text, never query text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"after": "1930; DROP"}, "not a valid integer"),
        ({"country": "not an iri"}, "not an IRI"),
        ({"country": "http://x/<script>"}, "not a valid IRI"),
        ({"after": "9" * 3000}, "longer than"),
    ],
)
def test_bad_values_are_refused_with_the_parameter_named(query, values, message) -> None:
    with pytest.raises(ParameterError, match=message):
        query.bind(values)


def test_a_required_parameter_without_value_or_default_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "needs-org.rq"
    path.write_text("#+ summary: x\nSELECT * WHERE { ?_org_iri ?p ?o }\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="org: a value is required"):
        parse(path).bind({})


def test_prefixed_names_expand_and_unknown_prefixes_stay_iris() -> None:
    assert expand_iri("org", "o:crfi") == "https://w3id.org/trotskyism/id/org/crfi"
    assert expand_iri("org", "urn:x:y") == "urn:x:y"
    with pytest.raises(ParameterError):
        expand_iri("org", "crfi")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "needs at least a summary"),
        ("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }", "not valid YAML"),
        ("#+ summary: x\nSELECT * WHERE { ?_s_colour ?p ?o }", "unknown type"),
        ("#+ summary: x\n#+ params: {ghost: {label: G}}\nSELECT * WHERE { ?s ?p ?o }", "not variables"),
    ],
)
def test_malformed_files_name_the_file(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "broken.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        parse(path)


def test_every_shipped_query_parses_and_is_grouped_by_tag() -> None:
    queries = load_all()
    assert len(queries) >= 20
    groups = by_tag(queries)
    assert {q.name for group in groups.values() for q in group} == set(queries)
    assert list(groups) == sorted(groups)
