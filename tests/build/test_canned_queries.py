"""Every canned query, run on the real graph with bound parameters, gives the rows the articles support.

Each case names the parameters (none: the query's defaults), the columns to
compare, rows that must be in the answer and rows that must not. Rows are
compared on labels and dates, as a reader sees them. The queries run as the
service runs them (:class:`tkg.reads.Reader`, parameters in a ``VALUES`` block),
and give the same rows as with pyoxigraph's ``substitutions=``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tkg.canned import load_all
from tkg.executor import InProcess
from tkg.reads import Reader
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
        {("1933", "Renaming"), ("1933", "Conference")},
        {("1953", "Split"), ("1928-02", "Capitulation")},
    ),
    "organisations-of-country": (
        {"country": "https://w3id.org/trotskyism/id/country/france"},
        ("organisationLabel", "founded"),
        {("Communist League (France)", "1930-04")},
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
            ),
            (
                "Zinoviev and his followers readmitted to the Soviet party within a month of their expulsion",
                "Zinoviev and Kamenev readmitted to the Soviet party in June",
            ),
            (
                "Trotsky expelled from the USSR",
                "Trotsky expelled from the USSR in the first days of 1929, according to the L5I article",
            ),
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
            ("1929-11", "I. N. Smirnov", ILO_SOURCE),
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
        {("State capitalism", "3"), ("Capitalism not overturned", "1")},
        set(),
    ),
    "factions-of": (
        {"org": ORG + "all-union-communist-party-bolsheviks"},
        ("factionLabel",),
        {("Left Opposition",), ("United Opposition",), ("Right wing of the Soviet Communist Party",)},
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
    found = Reader(InProcess(store)).rows(query.text, query.bind(params))
    return {tuple(row[c].value if c in row else None for c in columns) for row in found}  # type: ignore[union-attr]


def position_of_some_stance(store: EmbeddedStore) -> str:
    result = store.query(
        "SELECT ?p WHERE { ?s <https://w3id.org/trotskyism/ontology#position> ?p } ORDER BY ?p LIMIT 1"
    )
    return next(result.solutions())["p"].value


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_values_binding_gives_the_rows_of_substitutions(real_store: EmbeddedStore, name: str) -> None:
    """A VALUES block at the top of the WHERE binds like a substitution: same rows, same order keys.

    Run with the defaults, with the case's parameters, and (for the optional
    parameter of ussr-positions) with a value.
    """
    query = load_all()[name]
    cases = [{}, CASES[name][0]]
    if name == "ussr-positions":
        cases.append({"position": position_of_some_stance(real_store)})
    reader = Reader(InProcess(real_store))
    for params in cases:
        bound = query.bind(params)
        bound_rows = reader.rows(query.text, bound)
        reference = real_store.query(query.text, substitutions=bound)
        variables = [v.value for v in reference.raw_solutions().variables]
        expected = Counter(
            tuple(None if s[v] is None else str(s[v]) for v in variables) for s in reference.solutions()
        )
        assert list(bound_rows.variables) == variables
        got = Counter(tuple(str(row[v]) if v in row else None for v in variables) for row in bound_rows)
        assert got == expected, (name, params)
        assert expected, (name, params)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_canned_query_gives_the_expected_rows(real_store: EmbeddedStore, name: str) -> None:
    params, columns, present, absent = CASES[name]
    found = rows(real_store, name, params, columns)
    assert present <= found, f"missing: {present - found}"
    assert not absent & found, f"unexpected: {absent & found}"


@pytest.mark.slow
def test_an_event_with_a_range_is_on_the_timeline_at_its_start(real_store: EmbeddedStore) -> None:
    congress = rows(real_store, "timeline", {"from": "1928", "to": "1928"}, ("date", "event"))
    assert (
        "1928-07-17",
        "https://w3id.org/trotskyism/id/event/1928-07-17-sixth-congress-of-the-comintern",
    ) in congress
    wrp = rows(
        real_store,
        "splits-from",
        {"org": ORG + "international-committee-of-the-fourth-international"},
        ("date", "split"),
    )
    assert (
        "1985",
        "https://w3id.org/trotskyism/id/event/1985-split-of-the-icfi-with-the-workers-revolutionary-party",
    ) in wrp


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_canned_query_runs_with_its_defaults(real_store: EmbeddedStore, name: str) -> None:
    """The gallery links to each page without parameters: the defaults must give an answer."""
    query = load_all()[name]
    assert len(Reader(InProcess(real_store)).rows(query.text, query.bind({}))) > 0
