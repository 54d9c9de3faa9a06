"""Every canned query, run on the real graph with bound parameters, gives the rows the articles support.

Each case names the parameters (none: the query's defaults), the columns to
compare, rows that must be in the answer and rows that must not. Rows are
compared on labels and dates, as a reader sees them.
"""

from __future__ import annotations

import pytest

from tkg.canned import load_all
from tkg.store import EmbeddedStore

ORG = "https://w3id.org/trotskyism/id/org/"
ILO_SOURCE = "International Left Opposition, 1928-33 (Dave Stockton, L5I)"

CASES: dict[str, tuple[dict, tuple[str, ...], set[tuple], set[tuple]]] = {
    "ancestors": (
        {"org": ORG + "crfi"},
        ("ancestorLabel", "kind", "date", "derivativeLabel"),
        {
            ("Workers Socialist League", "Expulsion", "1983", "Internationalist Tendency/Faction"),
            ("International Trotskyist Committee", "Split", "1991-08", "International New Course Faction"),
            (
                "International Trotskyist Opposition",
                "Fusion",
                "2004",
                "Co-ordinating Committee for the Refoundation of the Fourth International",
            ),
        },
        set(),
    ),
    "descendants": (
        {"org": "o:left-opposition"},  # a prefixed name works as well as an IRI
        ("ancestorLabel", "kind", "date", "derivativeLabel"),
        {
            ("Left Opposition", "Founding", "1926", "United Opposition"),
            (
                "International Left Opposition",
                "Renaming",
                "1933",
                "International Communist League",
            ),
            (
                "Fourth International",
                "Split",
                "1953",
                "International Committee of the Fourth International",
            ),
            (
                "International Secretariat of the Fourth International",
                "Fusion",
                "1963",
                "United Secretariat of the Fourth International",
            ),
        },
        set(),
    ),
    "splits-from": (
        {"org": ORG + "movement-for-socialism-argentina"},
        ("resultLabel",),
        {
            ("Self-determination and Freedom (Argentina)",),
            ("Socialist Left (Argentina)",),
            ("Workers' Socialist Movement (Argentina)",),
            ("Socialist Workers' Party (Argentina)",),
        },
        {("Fourth International",)},
    ),
    "fusions": (
        {},
        ("date", "mergingLabel", "resultLabel"),
        {
            ("1930-04", "Wedding Opposition", "United Left Opposition (Germany)"),
            ("1931-05", "October Group (China)", "Communist League of China"),
        },
        set(),
    ),
    "timeline": (
        {"from": "1933", "to": "1933"},
        ("date", "kind"),
        {("1933", "Renaming")},
        {("1953", "Split"), ("1928-02", "Capitulation")},
    ),
    "organisations-of-country": (
        {"country": "https://w3id.org/trotskyism/id/country/france"},
        ("organisationLabel", "founded"),
        {("Communist League (France)", "1930-04, 1930")},
        {("Communist League of America", "1929-05, 1928")},
    ),
    "sections-at-date": (
        {"international": ORG + "international-left-opposition", "year": "1932"},
        ("sectionLabel", "countryLabel"),
        {
            ("Communist League (France)", "France"),
            ("United Left Opposition (Germany)", "Germany"),
            ("Communist League of America", "United States"),
        },
        set(),
    ),
    "leaders-and-founders": (
        {"org": ORG + "fourth-international"},
        ("role", "personLabel", "sourceLabel"),
        {
            ("founder", "Leon Trotsky", "Trotskyism (encyclopedia article)"),
            ("leader", "Leon Trotsky", "Trotskyism (encyclopedia article)"),
        },
        set(),
    ),
    "ussr-positions": (
        {"position": "https://w3id.org/trotskyism/id/position/deformed-workers-states"},
        ("holderLabel", "positionLabel", "date"),
        {("International Secretariat of the Fourth International", "Deformed workers' states", "1951")},
        {("Leon Trotsky", "Degenerated workers' state", None)},
    ),
    "organisations-in-year": (
        {"year": "1934"},
        ("organisationLabel",),
        {("International Communist League",), ("Communist League of America",)},
        # renamed in 1933; founded in 1938
        {("International Left Opposition",), ("Fourth International",)},
    ),
    "disagreements": (
        {},
        ("claimLabel", "otherLabel"),
        {
            (
                "Urbahns: Russia no longer a workers' state but not yet capitalist "
                "(as reported in Trotsky's rejection of 1931)",
                "Urbahns: Russia a form of state capitalism",
            )
        },
        set(),
    ),
    "evidence": (
        {"resource": "https://w3id.org/trotskyism/id/event/1953-split-of-the-fourth-international"},
        ("sourceLabel",),
        {("Trotskyism (encyclopedia article)",)},
        set(),
    ),
    "capitulations": (
        {},
        ("date", "personLabel", "sourceLabel"),
        {
            ("1928-02", "Yuri Piatakov", ILO_SOURCE),
            ("1929-11", "Ivan Smirnov", ILO_SOURCE),
            ("1934", "Christian Rakovsky", ILO_SOURCE),
        },
        set(),
    ),
    "internationals": (
        {},
        ("internationalLabel", "founded"),
        {
            ("Fourth International", "1938-09"),
            ("United Secretariat of the Fourth International", "1963"),
        },
        set(),
    ),
    "expulsions": (
        {},
        ("date", "fromLabel"),
        {("1928-11", "Communist Party of the USA")},
        set(),
    ),
    "renamings": (
        {},
        ("date", "oldLabel", "newLabel"),
        {
            ("1933", "International Left Opposition", "International Communist League"),
            ("2024", "International Marxist Tendency", "Revolutionary Communist International"),
        },
        set(),
    ),
    "foundings": (
        {"from": "1938", "to": "1953"},
        ("date", "organisationLabel"),
        {
            ("1938-09", "Fourth International"),
            ("1938", "Socialist Workers Party (United States)"),
        },
        {("1933", "International Communist League")},
    ),
    "periodicals": (
        {},
        ("periodicalLabel", "publisherLabel"),
        {("Bulletin of the Opposition", "Left Opposition"), ("Der Volkswille", "Leninbund")},
        set(),
    ),
    "person-events": (
        {"person": "https://w3id.org/trotskyism/id/person/james-p-cannon"},
        ("role", "itemLabel"),
        {
            ("founder of", "Communist League of America"),
            ("leader of", "Socialist Workers Party (United States)"),
        },
        set(),
    ),
    "sections-of-international": (
        {"international": ORG + "international-committee-of-the-fourth-international"},
        ("sectionLabel", "countryLabel"),
        {("ICFI section in Australia", "Australia"), ("Socialist Equality Party (Canada)", "Canada")},
        set(),
    ),
    "entries": (
        {},
        ("enteringLabel", "hostLabel"),
        {("Militant (Britain)", "Labour Party (Britain)"), ("Chinese Communist Party", "Guomindang")},
        set(),
    ),
    "affiliations": (
        {},
        ("date", "kind", "organisationLabel", "internationalLabel"),
        {
            (
                "1963",
                "joined",
                "Socialist Workers Party (United States)",
                "United Secretariat of the Fourth International",
            ),
            (
                "1973",
                "left",
                "Workers' Revolutionary Party (Argentina)",
                "United Secretariat of the Fourth International",
            ),
        },
        set(),
    ),
    "disputed-founding-dates": (
        {},
        ("organisationLabel",),
        {("International Left Opposition",), ("Communist League of America",)},
        {("Fourth International",)},
    ),
    "positions-overview": (
        {},
        ("positionLabel", "holders"),
        {("State capitalism", "4")},
        set(),
    ),
    "factions-of": (
        {"org": ORG + "all-union-communist-party-bolsheviks"},
        ("factionLabel",),
        {("Left Opposition",), ("United Opposition",), ("Right Opposition (Bukharinist)",)},
        set(),
    ),
    "sources": (
        {},
        ("sourceLabel",),
        {(ILO_SOURCE,), ("Trotskyism (encyclopedia article)",)},
        set(),
    ),
}


def test_every_canned_query_has_a_case() -> None:
    assert set(CASES) == set(load_all()), "each query file needs expected rows here"
    assert len(CASES) >= 20


def rows(store: EmbeddedStore, name: str, params: dict, columns: tuple[str, ...]) -> set[tuple]:
    query = load_all()[name]
    result = store.query(query.text, substitutions=query.bind(params))
    return {tuple(None if s[c] is None else s[c].value for c in columns) for s in result.solutions()}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_canned_query_gives_the_expected_rows(real_store: EmbeddedStore, name: str) -> None:
    params, columns, present, absent = CASES[name]
    found = rows(real_store, name, params, columns)
    assert present <= found, f"missing: {present - found}"
    assert not absent & found, f"unexpected: {absent & found}"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_canned_query_runs_with_its_defaults(real_store: EmbeddedStore, name: str) -> None:
    """The gallery links to each page without parameters: the defaults must give an answer."""
    query = load_all()[name]
    assert list(real_store.query(query.text, substitutions=query.bind({})).solutions())
