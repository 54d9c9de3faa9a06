"""The tests of ``tests/http/test_linked_data.py`` over each remote store; the two that visit every
resource visit a covering sample of them instead (:func:`covering`).

Over the embedded store, the crawl fetches every page (1,700, 1,500 of them resource pages) and
every resource's Turtle: that every resource has a page and a document, and is linked to, is
proven there. Over a remote store the same pages cost ten times as much (every query a request
to the engine, ~20 ms of the front end's CPU and 17-35 ms of the engine's a page), and what is
new to prove is that the engine's answers make the same pages: the same queries run for every
resource of a kind (describe, events, and the organisations' lineage, the holders' stances, the
sources' quotes), so a page's code paths follow from its kind and from the shapes of the
statements it renders. The sample holds, for each kind, resources whose statements together
have every shape that kind's statements have in the graph, and every deprecated resource.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from tests.http.test_linked_data import *  # noqa: F403
from tests.http.test_linked_data import assert_dereferences_to_turtle, crawl, deprecated, resources
from tkg.namespaces import ID
from tkg.store import EmbeddedStore

#: Every statement about a resource under id/ or pointing at one, with the graph that holds it.
STATEMENTS = f"""SELECT ?x ?direction ?g ?p ?other WHERE {{
  {{ GRAPH ?g {{ ?x ?p ?other }} BIND("out" AS ?direction) }}
  UNION {{ GRAPH ?g {{ ?other ?p ?x }} BIND("in" AS ?direction) }}
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{ID}")) }}"""


def term_shape(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """What a page does with a term: the kind of resource an IRI names, a blank node, or a literal's
    datatype and whether it has a language."""
    if isinstance(term, ox.NamedNode):
        return "iri " + (term.value[len(ID) :].split("/")[0] if term.value.startswith(ID) else "outside")
    if isinstance(term, ox.BlankNode):
        return "blank"
    return f"literal {term.datatype.value} {'tagged' if term.language else ''}"


def kind_of(iri: str) -> str:
    return iri[len(ID) :].split("/")[0]


def covering(store: EmbeddedStore) -> set[str]:
    """Resources whose statements have, together, every shape of statement of their kind.

    A shape is a direction (from or to the resource), a named graph (asserted or inferred), a
    predicate and the shape of the term at the other end (:func:`term_shape`). Per kind, the
    resource with the most shapes not yet covered is taken until none is left (greedy, ties
    broken by IRI, so that every run takes the same ones): on the real graph, about 50 of 1,539.
    """
    shapes: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for row in store.query(STATEMENTS).solutions():
        shape = (row["direction"].value, row["g"].value, row["p"].value, term_shape(row["other"]))
        shapes[row["x"].value].add(shape)
    kinds: dict[str, list[str]] = defaultdict(list)
    for iri in sorted(shapes):
        kinds[kind_of(iri)].append(iri)
    chosen = set(deprecated(store))
    for iris in kinds.values():
        left = set().union(*(shapes[iri] for iri in iris))
        while left:
            best = max(iris, key=lambda iri: len(shapes[iri] & left))
            chosen.add(best)
            left -= shapes[best]
    return chosen


def test_the_sample_covers_every_kind_and_is_small(real_store) -> None:  # type: ignore[no-untyped-def]
    sample, everything = covering(real_store), resources(real_store)
    assert sample <= everything | set(deprecated(real_store))
    assert {kind_of(iri) for iri in sample} == {kind_of(iri) for iri in everything}
    assert len(sample) < len(everything) / 10


def test_a_crawler_from_the_home_page_reaches_every_resource_in_html(client_real, real_store) -> None:  # type: ignore[no-untyped-def]
    """Every page but the resources' is fetched, and of those the sample's: all answer 200, every
    resource of the graph is linked to (from the index pages, at least), the sample's pages reached."""
    everything, sample = resources(real_store), covering(real_store)
    old = deprecated(real_store)
    reached, statuses, linked = crawl(client_real, fetched=sample.__contains__)
    broken = {path: status for path, status in statuses.items() if status != 200}
    assert not broken, f"links that do not answer 200: {sorted(broken.items())[:10]}"
    assert not everything - linked - set(old), sorted(everything - linked)[:5]
    missing = sample - reached - set(old)
    assert not missing, f"{len(missing)} resources of the sample unreachable, e.g. {sorted(missing)[:5]}"


#: Named as the embedded test it replaces here (imported above): another name would run both, every
#: resource over each engine (112 s on Virtuoso) beside the sample.
def test_every_resource_dereferences_to_turtle_that_describes_it(client_real, real_store) -> None:  # type: ignore[no-untyped-def]
    """The sample's IRIs asked for Turtle: 303 to a document about each (301 for a deprecated one)."""
    assert_dereferences_to_turtle(client_real, real_store, covering(real_store))
