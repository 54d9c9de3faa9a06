"""The history lint (``tkg.lint``): each rule fails on a fixture that breaks it, passes one that keeps it.

Every fixture is real Turtle parsed and skolemised as the build does, checked against real
article files; the messages must name the resource, the file (and line) and the quote.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tkg.build import LintFailed, build, check
from tkg.config import ROOT, Settings
from tkg.evidence import Articles, skolemise
from tkg.lint import ERROR, WARNING, Finding, lint
from tkg.turtle import parse_files, turtle_files

PREFIXES = """\
@prefix tkg:     <https://w3id.org/trotskyism/ontology#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix o:       <https://w3id.org/trotskyism/id/org/> .
@prefix person:  <https://w3id.org/trotskyism/id/person/> .
@prefix event:   <https://w3id.org/trotskyism/id/event/> .
@prefix stance:  <https://w3id.org/trotskyism/id/stance/> .
@prefix source:  <https://w3id.org/trotskyism/id/source/> .
@prefix country: <https://w3id.org/trotskyism/id/country/> .
@prefix pos:     <https://w3id.org/trotskyism/id/position/> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""

CHRONICLE = """A chronicle for the lint tests.

The Alpha League was founded in 1950 in Ruritania. Jane Doe led the Alpha League.
The Beta Group joined the Alpha League in 1951. The Gamma Circle joined the Alpha League in 1949.
In March 1952 the Alpha League split. On 3 March 1952 the Delta Faction walked out.
The Beta Group was a section of the Alpha League. Jane Doe also led the Beta Group.
The Alpha League held a congress in 1955. A year later the Epsilon Party was founded.
"""

ANNALS = """Other annals for the lint tests.

The Alpha League was really founded in 1948, the annals say.
"""

#: The world every fixture adds to: a source per article, one country, one person.
BASE = """
source:chronicle a tkg:Source ; rdfs:label "Chronicle"@en ; tkg:file "chronicle.txt" .
source:annals a tkg:Source ; rdfs:label "Annals"@en ; tkg:file "annals.txt" .
country:ruritania a tkg:Country ; rdfs:label "Ruritania"@en .
person:jane-doe a tkg:Person ; rdfs:label "Jane Doe"@en ;
    tkg:evidence [ dcterms:source source:chronicle ; oa:exact "Jane Doe led the Alpha League." ] .
"""


def q(text: str, source: str = "chronicle") -> str:
    """A blank-node evidence quoting ``text`` from ``source``."""
    return f'[ dcterms:source source:{source} ; oa:exact "{text}" ]'


ALPHA = f"""
o:alpha-league a tkg:Party ; rdfs:label "Alpha League"@en ; tkg:country country:ruritania ;
    tkg:founded "1950"^^xsd:gYear ;
    tkg:evidence {q("The Alpha League was founded in 1950 in Ruritania.")} .
[] a tkg:Claim ; rdf:subject o:alpha-league ; rdf:predicate tkg:founded ; rdf:object "1950"^^xsd:gYear ;
    tkg:evidence {q("The Alpha League was founded in 1950 in Ruritania.")} .
"""

BETA = f"""
o:beta-group a tkg:Group ; rdfs:label "Beta Group"@en ; tkg:country country:ruritania ;
    tkg:evidence {q("The Beta Group joined the Alpha League in 1951.")} .
"""


def run_lint(tmp_path: Path, files: dict[str, str], extra: str = "") -> list[Finding]:
    """Write ``files`` (Turtle bodies) beside the base world and lint them as the build would."""
    data = tmp_path / "data"
    seeds = tmp_path / "seeds"
    data.mkdir()
    seeds.mkdir()
    (seeds / "chronicle.txt").write_text(CHRONICLE + extra, encoding="utf-8")
    (seeds / "annals.txt").write_text(ANNALS, encoding="utf-8")
    (data / "base.ttl").write_text(PREFIXES + BASE, encoding="utf-8")
    for name, body in files.items():
        (data / name).write_text(PREFIXES + body, encoding="utf-8")
    graph, _ = parse_files(turtle_files(data))
    skolemise(graph)
    ontology, _ = parse_files(turtle_files(ROOT / "ontology"))
    return lint(graph, ontology, turtle_files(data), Articles(seeds))


def only(findings: list[Finding], rule: str, severity: str = ERROR) -> list[Finding]:
    return [f for f in findings if f.rule == rule and f.severity == severity]


def line_of(tmp_path: Path, file: str, text: str) -> int:
    lines = (tmp_path / "data" / file).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(text))


# ---- a year inside a name


def test_a_year_in_an_organisation_name_is_an_error(tmp_path: Path) -> None:
    body = ALPHA.replace('"Alpha League"@en', '"Alpha League (1950-1960)"@en')
    [finding] = only(run_lint(tmp_path, {"a.ttl": body}), "year-in-name")
    assert finding.resource.endswith("/id/org/alpha-league")
    assert (finding.file, finding.line) == ("a.ttl", line_of(tmp_path, "a.ttl", "o:alpha-league a"))
    assert finding.quote == "Alpha League (1950-1960)"
    assert f"alpha-league (a.ttl:{finding.line})" in str(finding)


def test_a_name_without_a_year_passes(tmp_path: Path) -> None:
    assert not only(run_lint(tmp_path, {"a.ttl": ALPHA}), "year-in-name")


# ---- one quote behind two events of the same kind and result

SPLIT_QUOTE = "In March 1952 the Alpha League split."


def founding(slug: str, date: str, quote: str, source: str = "chronicle") -> str:
    return f"""
event:{slug} a tkg:Founding ; rdfs:label "Founding {slug}"@en ; tkg:date "{date}"^^xsd:gYear ;
    org:resultingOrganization o:alpha-league ; tkg:evidence {q(quote, source)} .
"""


def test_one_quote_behind_two_foundings_of_one_organisation_is_an_error(tmp_path: Path) -> None:
    quote = "The Alpha League was founded in 1950 in Ruritania."
    body = ALPHA + founding("1950-founding-a", "1950", quote) + founding("1950-founding-b", "1950", quote)
    [finding] = only(run_lint(tmp_path, {"a.ttl": body}), "one-quote-two-events")
    assert finding.resource.endswith("/id/event/1950-founding-a") and "1950-founding-b" in finding.message
    assert (finding.file, finding.line) == ("a.ttl", line_of(tmp_path, "a.ttl", "event:1950-founding-a"))
    assert finding.quote == quote


def test_two_foundings_from_two_quotes_are_a_kept_disagreement(tmp_path: Path) -> None:
    body = (
        ALPHA
        + founding("1950-founding-a", "1950", "The Alpha League was founded in 1950 in Ruritania.")
        + founding("1948-founding-b", "1948", "The Alpha League was really founded in 1948", "annals")
    )
    assert not only(run_lint(tmp_path, {"a.ttl": body}), "one-quote-two-events")


# ---- an entry, affiliation or leadership before the organisation was founded


def affiliation(slug: str, member: str, date: str, quote: str) -> str:
    return f"""
event:{slug} a tkg:Affiliation ; rdfs:label "{slug}"@en ; tkg:date "{date}"^^xsd:gYear ;
    org:originalOrganization o:{member} ; tkg:hostOrganisation o:alpha-league ; tkg:evidence {q(quote)} .
"""


GAMMA = f"""
o:gamma-circle a tkg:Group ; rdfs:label "Gamma Circle"@en ;
    tkg:evidence {q("The Gamma Circle joined the Alpha League in 1949.")} .
"""


def test_an_affiliation_before_the_host_was_founded_is_an_error(tmp_path: Path) -> None:
    quote = "The Gamma Circle joined the Alpha League in 1949."
    body = ALPHA + GAMMA + affiliation("1949-gamma-joins", "gamma-circle", "1949", quote)
    [finding] = only(run_lint(tmp_path, {"a.ttl": body}), "before-founding")
    assert finding.resource.endswith("/id/event/1949-gamma-joins")
    assert "1950 (chronicle.txt)" in finding.message and "Alpha League" in finding.message
    assert (finding.file, finding.line) == ("a.ttl", line_of(tmp_path, "a.ttl", "event:1949-gamma-joins"))
    assert finding.quote == quote


def test_an_affiliation_after_the_founding_passes(tmp_path: Path) -> None:
    quote = "The Beta Group joined the Alpha League in 1951."
    body = ALPHA + BETA + affiliation("1951-beta-joins", "beta-group", "1951", quote)
    assert not [f for f in run_lint(tmp_path, {"a.ttl": body}) if f.rule == "before-founding"]


def test_an_affiliation_between_two_sources_founding_dates_is_a_warning_naming_the_source(
    tmp_path: Path,
) -> None:
    quote = "The Gamma Circle joined the Alpha League in 1949."
    body = (
        ALPHA
        + GAMMA
        + founding("1948-founding-of-alpha", "1948", "The Alpha League was really founded in 1948", "annals")
        + affiliation("1949-gamma-joins", "gamma-circle", "1949", quote)
    )
    findings = run_lint(tmp_path, {"a.ttl": body})
    assert not only(findings, "before-founding")
    [finding] = only(findings, "before-founding", WARNING)
    assert "1950 (chronicle.txt)" in finding.message and "after it according to 1948" in finding.message
    assert finding.quote == quote


# ---- two IRIs for one organisation


def test_two_iris_with_the_same_name_and_country_are_an_error(tmp_path: Path) -> None:
    twin = ALPHA.replace("o:alpha-league", "o:the-alpha-league")
    [finding] = only(run_lint(tmp_path, {"a.ttl": ALPHA, "b.ttl": twin}), "two-iris")
    assert "alpha-league" in finding.resource and "the-alpha-league" in finding.message
    assert finding.file in ("a.ttl", "b.ttl") and finding.line
    assert finding.quote == "Alpha League"


def test_the_same_name_in_two_countries_passes(tmp_path: Path) -> None:
    other = ALPHA.replace("o:alpha-league", "o:alpha-league-elsewhere").replace(
        "tkg:country country:ruritania ;", ""
    )
    assert not [f for f in run_lint(tmp_path, {"a.ttl": ALPHA, "b.ttl": other}) if f.rule == "two-iris"]


def test_the_same_leader_and_country_without_an_event_between_is_a_warning(tmp_path: Path) -> None:
    leaders = f"""
o:alpha-league tkg:leader person:jane-doe .
[] a tkg:Claim ; rdf:subject o:alpha-league ; rdf:predicate tkg:leader ; rdf:object person:jane-doe ;
    tkg:evidence {q("Jane Doe led the Alpha League.")} .
o:beta-group tkg:leader person:jane-doe .
[] a tkg:Claim ; rdf:subject o:beta-group ; rdf:predicate tkg:leader ; rdf:object person:jane-doe ;
    tkg:evidence {q("Jane Doe also led the Beta Group.")} .
"""
    findings = run_lint(tmp_path, {"a.ttl": ALPHA + BETA + leaders})
    [finding] = only(findings, "two-iris", WARNING)
    assert finding.resource.endswith("/id/org/beta-group") and "Jane Doe" in finding.message
    assert finding.file == "a.ttl" and finding.quote == "Beta Group"


# ---- an entity defined in more than one file


def test_an_entity_typed_in_two_files_is_an_error_naming_both(tmp_path: Path) -> None:
    again = 'o:alpha-league a tkg:Party ; rdfs:label "Alpha League"@en .\n'
    [finding] = only(run_lint(tmp_path, {"a.ttl": ALPHA, "b.ttl": again}), "defined-twice")
    assert finding.resource.endswith("/id/org/alpha-league")
    assert f"a.ttl:{line_of(tmp_path, 'a.ttl', 'o:alpha-league a')}" in finding.message
    assert f"b.ttl:{line_of(tmp_path, 'b.ttl', 'o:alpha-league a')}" in finding.message


def test_claims_in_a_second_file_pass(tmp_path: Path) -> None:
    more = 'o:alpha-league rdfs:comment "More about the league."@en .\n'
    assert not only(run_lint(tmp_path, {"a.ttl": ALPHA, "b.ttl": more}), "defined-twice")


# ---- a section link, stance, event or founding date without its own evidence

SECTION_QUOTE = "The Beta Group joined the Alpha League in 1951."


def test_a_section_link_backed_only_by_an_affiliation_event_is_an_error(tmp_path: Path) -> None:
    body = ALPHA + BETA + "o:beta-group tkg:sectionOf o:alpha-league .\n"
    body += affiliation("1951-beta-joins", "beta-group", "1951", SECTION_QUOTE)
    [finding] = only(run_lint(tmp_path, {"a.ttl": body}), "own-evidence")
    assert finding.resource.endswith("/id/org/beta-group") and "1951-beta-joins" in finding.message
    assert (finding.file, finding.line) == ("a.ttl", line_of(tmp_path, "a.ttl", "o:beta-group a"))
    assert finding.quote == SECTION_QUOTE


def test_a_section_link_with_its_own_claim_passes(tmp_path: Path) -> None:
    body = ALPHA + BETA + "o:beta-group tkg:sectionOf o:alpha-league .\n"
    body += f"""[] a tkg:Claim ; rdf:subject o:beta-group ;
    rdf:predicate tkg:sectionOf ; rdf:object o:alpha-league ;
    tkg:evidence {q("The Beta Group was a section of the Alpha League.")} .
"""
    assert not only(run_lint(tmp_path, {"a.ttl": body}), "own-evidence")


def test_a_founding_date_without_evidence_is_an_error(tmp_path: Path) -> None:
    body = BETA.replace("tkg:evidence", 'tkg:founded "1949"^^xsd:gYear ;\n    tkg:evidence')
    [finding] = only(run_lint(tmp_path, {"a.ttl": body}), "own-evidence")
    assert finding.resource.endswith("/id/org/beta-group") and "founded 1949" in finding.message
    assert finding.file == "a.ttl"


# ---- a date more precise than its quote


def split(date: str, datatype: str, quote: str) -> str:
    return f"""
event:{date}-split-of-alpha a tkg:Split ; rdfs:label "Split of the Alpha League"@en ;
    tkg:date "{date}"^^xsd:{datatype} ; org:originalOrganization o:alpha-league ; tkg:evidence {q(quote)} .
"""


def test_a_day_the_quote_does_not_give_is_an_error(tmp_path: Path) -> None:
    body = ALPHA + split("1952-03-03", "date", SPLIT_QUOTE)
    [finding] = only(run_lint(tmp_path, {"a.ttl": body}), "date-precision")
    assert finding.resource.endswith("/id/event/1952-03-03-split-of-alpha") and "no quote gives the day" in (
        finding.message
    )
    assert (finding.file, finding.line) == ("a.ttl", line_of(tmp_path, "a.ttl", "event:1952-03-03-split"))
    assert finding.quote == SPLIT_QUOTE


def test_a_month_the_quote_does_not_give_is_an_error(tmp_path: Path) -> None:
    quote = "The Alpha League was founded in 1950 in Ruritania."
    [finding] = only(
        run_lint(tmp_path, {"a.ttl": ALPHA + split("1950-06", "gYearMonth", quote)}), "date-precision"
    )
    assert "no quote names the month" in finding.message and finding.quote == quote


def test_a_date_at_the_quotes_precision_passes(tmp_path: Path) -> None:
    day = split("1952-03-03", "date", "On 3 March 1952 the Delta Faction walked out.")
    month = split("1952-03", "gYearMonth", SPLIT_QUOTE)
    for name, body in (("day", day), ("month", month)):
        (tmp_path / name).mkdir()
        findings = run_lint(tmp_path / name, {"a.ttl": ALPHA + body})
        assert not [f for f in findings if f.rule == "date-precision"]


def test_a_year_only_in_the_text_before_the_quote_is_a_warning(tmp_path: Path) -> None:
    quote = "A year later the Epsilon Party was founded."
    body = f"""
o:epsilon-party a tkg:Party ; rdfs:label "Epsilon Party"@en ; tkg:evidence {q(quote)} .
event:1955-founding-of-epsilon a tkg:Founding ; rdfs:label "Founding of the Epsilon Party"@en ;
    tkg:date "1955"^^xsd:gYear ; org:resultingOrganization o:epsilon-party ; tkg:evidence {q(quote)} .
"""
    findings = run_lint(tmp_path, {"a.ttl": body})
    assert not only(findings, "date-precision")
    [finding] = only(findings, "date-precision", WARNING)
    assert "the text before one has" in finding.message and finding.quote == quote


def test_a_year_nowhere_in_the_article_is_an_error(tmp_path: Path) -> None:
    quote = "A year later the Epsilon Party was founded."
    body = f"""
o:epsilon-party a tkg:Party ; rdfs:label "Epsilon Party"@en ; tkg:evidence {q(quote)} .
event:1977-founding-of-epsilon a tkg:Founding ; rdfs:label "Founding of the Epsilon Party"@en ;
    tkg:date "1977"^^xsd:gYear ; org:resultingOrganization o:epsilon-party ; tkg:evidence {q(quote)} .
"""
    [finding] = only(run_lint(tmp_path, {"a.ttl": body}), "date-precision")
    assert "1977 is nowhere in the article" in finding.message


# ---- the real data, and the build


def test_the_real_data_has_no_lint_errors() -> None:
    settings = Settings()
    data, _ = parse_files(turtle_files(settings.data_dir))
    skolemise(data)
    ontology, _ = parse_files(turtle_files(settings.ontology_dir))
    findings = lint(data, ontology, turtle_files(settings.data_dir), Articles(settings.seeds_dir))
    errors = [str(f) for f in findings if f.severity == ERROR]
    assert errors == []


YEAR_NAMED = """
o:zeta-league a tkg:Party ; rdfs:label "Zeta League (1950-1960)"@en ;
    tkg:evidence [ dcterms:source source:fixture-article ;
        oa:exact "The Alpha League was founded in 1950." ] .
"""


def test_the_build_fails_on_a_lint_error_and_keeps_the_previous_store(fixture_settings: Settings) -> None:
    good, manifest = build(fixture_settings, report=lambda _line: None)
    path = fixture_settings.data_dir / "fixture.ttl"
    path.write_text(path.read_text(encoding="utf-8") + YEAR_NAMED, encoding="utf-8")
    with pytest.raises(LintFailed) as failure:
        build(fixture_settings, report=lambda _line: None)
    message = str(failure.value)
    assert "year-in-name" in message and "zeta-league (fixture.ttl:" in message
    assert "Zeta League (1950-1960)" in message
    assert fixture_settings.current_store.resolve() == good
    with pytest.raises(LintFailed):
        check(fixture_settings, report=lambda _line: None)
    result = run_cli(fixture_settings, "validate")
    assert result.returncode == 1 and "year-in-name" in result.stderr
    assert fixture_settings.current_store.resolve() == good and manifest.version


def test_a_range_cut_to_its_start_is_a_warning(tmp_path: Path) -> None:
    """``17 July-1 September`` is not one day, nor ``1955-56`` one year; ``3-5 March`` is inside a month."""
    article = "The Alpha League held a congress on 17 July-1 September 1955. It met again on 3-5 March 1956."
    cases = {
        "cut": (split("1955-07-17", "date", "on 17 July-1 September 1955"), True),
        "month": (split("1956-03", "gYearMonth", "It met again on 3-5 March 1956."), False),
        "day": (split("1956-03-03", "date", "It met again on 3-5 March 1956."), True),
    }
    for name, (body, warned) in cases.items():
        (tmp_path / name).mkdir()
        findings = run_lint(tmp_path / name, {"a.ttl": ALPHA + body}, extra=article)
        assert not only(findings, "date-precision")
        ranges = [f for f in only(findings, "date-precision", WARNING) if "range" in f.message]
        assert bool(ranges) == warned, name
        if warned:
            assert ranges[0].file == "a.ttl" and ranges[0].quote in article


def test_a_split_of_an_organisation_not_yet_founded_is_an_error(tmp_path: Path) -> None:
    findings = run_lint(tmp_path, {"a.ttl": ALPHA + split("1949", "gYear", SPLIT_QUOTE)})
    [finding] = only(findings, "before-founding")
    assert finding.resource.endswith("/id/event/1949-split-of-alpha") and "Alpha League" in finding.message


def test_an_affiliation_to_a_dissolved_organisation_is_an_error(tmp_path: Path) -> None:
    quote = "The Beta Group joined the Alpha League in 1951."
    dissolved = f"""
o:alpha-league tkg:dissolved "1950"^^xsd:gYear .
[] a tkg:Claim ; rdf:subject o:alpha-league ; rdf:predicate tkg:dissolved ; rdf:object "1950"^^xsd:gYear ;
    tkg:evidence {q("The Alpha League was founded in 1950 in Ruritania.")} .
"""
    body = ALPHA + BETA + dissolved + affiliation("1951-beta-joins", "beta-group", "1951", quote)
    [finding] = only(run_lint(tmp_path, {"a.ttl": body}), "after-dissolution")
    assert finding.resource.endswith("/id/event/1951-beta-joins") and "dissolved: 1950" in finding.message
    assert (finding.file, finding.line) == ("a.ttl", line_of(tmp_path, "a.ttl", "event:1951-beta-joins"))
    assert finding.quote == quote


def test_one_quote_behind_two_foundings_counts_even_if_one_has_another_class_too(tmp_path: Path) -> None:
    """A founding congress typed ``tkg:Founding`` and a conference class is still a founding."""
    quote = "The Alpha League was founded in 1950 in Ruritania."
    congress = founding("1950-founding-b", "1950", quote).replace(
        "a tkg:Founding", "a tkg:Founding , <https://w3id.org/trotskyism/ontology#Conference>"
    )
    body = ALPHA + founding("1950-founding-a", "1950", quote) + congress
    [finding] = only(run_lint(tmp_path, {"a.ttl": body}), "one-quote-two-events")
    assert "two Founding events" in finding.message


def test_a_range_kept_as_from_and_until_passes_with_both_days(tmp_path: Path) -> None:
    """The ``1`` of ``17 July-1 September`` is a day of the quote, though a hyphen comes before it."""
    quote = "on 17 July-1 September 1955"
    body = f"""
event:1955-07-17-congress-of-alpha a tkg:Conference ; rdfs:label "Congress of the Alpha League"@en ;
    tkg:from "1955-07-17"^^xsd:date ; tkg:until "1955-09-01"^^xsd:date ;
    tkg:involves o:alpha-league ; tkg:evidence {q(quote)} .
"""
    article = f"The Alpha League held a congress {quote}."
    findings = run_lint(tmp_path, {"a.ttl": ALPHA + body}, extra=article)
    assert not [f for f in findings if f.rule == "date-precision"], [str(f) for f in findings]
