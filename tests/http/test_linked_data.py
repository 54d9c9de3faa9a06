"""Every IRI dereferences: a crawler from the home page, the 303 pattern, RDF by content negotiation."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple
from urllib.parse import urldefrag, urlparse

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDFS

from tkg.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, ID, TKG
from tkg.store import EmbeddedStore

HREF = re.compile(r'href="([^"]+)"')
ILO = ID + "org/international-left-opposition"
RDF_TYPES = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}


def resources(store: EmbeddedStore) -> set[str]:
    """Every IRI under id/ that the graph says something about."""
    query = f'SELECT DISTINCT ?x WHERE {{ ?x ?p ?o FILTER(STRSTARTS(STR(?x), "{ID}")) }}'
    return {row["x"].value for row in store.query(query).solutions()}


def deprecated(store: EmbeddedStore) -> dict[str, str | None]:
    """Every deprecated IRI under id/, with its replacement (None when it was withdrawn without one)."""
    query = f"""SELECT ?x ?new WHERE {{
      ?x <http://www.w3.org/2002/07/owl#deprecated> true FILTER(STRSTARTS(STR(?x), "{ID}"))
      OPTIONAL {{ ?x <http://purl.org/dc/terms/isReplacedBy> ?new }} }}"""
    rows = store.query(query).solutions()
    return {row["x"].value: row["new"].value if row["new"] else None for row in rows}


#: Requests a crawl has under way at once: a remote store answers them in parallel, and while one
#: request waits on the store another is rendered.
CRAWLERS = 8


def fetch_all(client, paths: list[str], fetch):
    """``fetch(c, path)`` for every path, by :data:`CRAWLERS` threads, each with its own client."""
    local = threading.local()

    def one(path: str):
        if not hasattr(local, "client"):
            local.client = client.application.test_client()
        return fetch(local.client, path)

    with ThreadPoolExecutor(CRAWLERS) as pool:
        return list(pool.map(one, paths))


def page(client, path: str) -> tuple[int, str, str, str]:
    """A GET for HTML, redirects followed: its status, final path, media type and (if HTML) text."""
    response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
    html = response.mimetype == "text/html"
    return response.status_code, response.request.path, response.mimetype, response.get_data(as_text=html)


class Crawl(NamedTuple):
    """What a crawl found: the resources whose pages answered, each page's status, the resources linked."""

    reached: set[str]
    statuses: dict[str, int]
    linked: set[str]


RESOURCE_PAGE = re.compile(r"/id/([a-z]+)/([a-z0-9-]+)(?:\.html)?")


def crawl(client, fetched: Callable[[str], bool] = lambda _iri: True) -> Crawl:
    """Follow every link of this site from the home page, one level of links at a time, each level
    fetched in parallel. ``fetched(iri)`` says whether the page of a resource linked to is fetched
    (every one, unless a caller crawls a sample); every other page linked to is.
    """
    seen, statuses, reached, linked = {"/"}, {}, set(), set()
    level = ["/"]
    while level:
        found = []
        for path, (status, final, mimetype, text) in zip(level, fetch_all(client, level, page), strict=True):
            statuses[path] = status
            match = re.fullmatch(r"/id/([a-z]+)/([a-z0-9-]+)\.html", final)
            if match and status == 200:
                reached.add(f"{ID}{match[1]}/{match[2]}")
            if mimetype != "text/html":
                continue
            for href in HREF.findall(text):
                url = urldefrag(href.replace("&amp;", "&"))[0]
                parsed = urlparse(url)
                if parsed.scheme or parsed.netloc or not url.startswith("/"):
                    continue  # another site
                if url.startswith(("/sparql", "/search", "/dumps/trotskyism", "/static")) or url in seen:
                    continue
                if re.search(r"\.(ttl|jsonld|nt|rdf|trig|nq)$", url):
                    continue  # the RDF alternates are checked separately
                seen.add(url)
                if resource := RESOURCE_PAGE.fullmatch(url):
                    iri = f"{ID}{resource[1]}/{resource[2]}"
                    linked.add(iri)
                    if not fetched(iri):
                        continue
                found.append(url)
        level = found
    return Crawl(reached, statuses, linked)


def turtle(client, path: str) -> tuple[int, int | None, str]:
    """``path`` asked for Turtle: the status, and the status and text of the document it redirects to."""
    response = client.get(path, headers={"Accept": "text/turtle"})
    if response.status_code != 303:
        return response.status_code, None, ""
    document = client.get(response.headers["Location"])
    return 303, document.status_code, document.get_data(as_text=True)


@pytest.mark.slow
def test_a_crawler_from_the_home_page_reaches_every_resource_in_html(client_real, real_store) -> None:
    everything = resources(real_store)
    assert len(everything) > 1000
    old = deprecated(real_store)
    reached, statuses, _ = crawl(client_real)
    broken = {path: status for path, status in statuses.items() if status != 200}
    assert not broken, f"links that do not answer 200: {sorted(broken.items())[:10]}"
    missing = everything - reached - set(old)  # old IRIs are for old links, not linked any more
    assert not missing, f"{len(missing)} resources unreachable by links, e.g. {sorted(missing)[:5]}"


@pytest.mark.slow
def test_every_resource_dereferences_to_turtle_that_describes_it(client_real, real_store) -> None:
    """Every IRI the graph describes (the crawl's set), asked for Turtle: 303 to a document about it
    (301 for a deprecated one). A test of its own, so that xdist runs it beside the crawl."""
    everything = resources(real_store)
    assert len(everything) > 1000
    assert_dereferences_to_turtle(client_real, real_store, everything)


def assert_dereferences_to_turtle(client, store: EmbeddedStore, iris: Iterable[str]) -> None:  # type: ignore[no-untyped-def]
    """Each IRI asked for Turtle: 303 to a document with the IRI as a subject (301 for a deprecated one)."""
    old = deprecated(store)
    ordered = sorted(iris)
    paths = [iri[len(ID) - 3 :] for iri in ordered]
    answers = fetch_all(client, paths, turtle)
    for iri, path, (status, document, text) in zip(ordered, paths, answers, strict=True):
        if old.get(iri):
            assert status == 301, path
            continue
        assert status == 303, path
        assert document == 200, path
        # pyoxigraph's parser: a strict one, and ~20x faster than rdflib's on these 1,000+ documents
        subjects = {triple.subject for triple in ox.parse(text, format=ox.RdfFormat.TURTLE)}
        assert ox.NamedNode(iri) in subjects, path


def test_an_iri_answers_303_to_the_document_for_each_accept(client_real) -> None:
    cases = {
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": ".html",
        "*/*": ".html",
        "text/turtle": ".ttl",
        "application/ld+json": ".jsonld",
        "application/n-triples": ".nt",
        "application/rdf+xml": ".rdf",
        "application/trig": ".trig",
        "application/n-quads": ".nq",
        "text/turtle;q=0.5, application/rdf+xml": ".rdf",
    }
    for accept, ext in cases.items():
        response = client_real.get("/id/org/international-left-opposition", headers={"Accept": accept})
        assert response.status_code == 303, accept
        assert response.headers["Location"].endswith("/id/org/international-left-opposition" + ext), accept
        assert "Accept" in response.headers["Vary"]
    by_format = client_real.get("/id/org/international-left-opposition?format=ttl")
    assert by_format.headers["Location"].endswith(".ttl")


def test_unacceptable_and_unknown_get_clear_errors(client_real) -> None:
    refused = client_real.get("/id/org/international-left-opposition", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "text/turtle" in refused.get_data(as_text=True)
    for path in (
        "/id/org/no-such-organisation",
        "/id/org/no-such-organisation.ttl",
        "/id/widget/x",
        "/id/org/BAD",
    ):
        html = client_real.get(path, headers={"Accept": "text/html"})
        assert html.status_code == 404, path
        assert 'href="http://localhost/search?q=' in html.get_data(as_text=True), path
        program = client_real.get(path, headers={"Accept": "text/turtle"})
        assert program.status_code == 404
        assert "/search?q=" in program.get_data(as_text=True)
        assert 'rel="search"' in program.headers["Link"]
    assert client_real.get("/id/org/fourth-international.exe").status_code == 404


def test_the_description_has_own_incoming_and_label_triples_in_every_format(client_real) -> None:
    graphs = {}
    for media, (ext, rdflib_format) in RDF_TYPES.items():
        response = client_real.get(f"/id/org/international-left-opposition.{ext}")
        assert response.status_code == 200
        assert response.mimetype == media
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        graphs[ext] = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    ilo = URIRef(ILO)
    for ext, graph in graphs.items():
        # own statements, asserted and inferred
        assert (ilo, URIRef(TKG + "founder"), URIRef(ID + "person/leon-trotsky")) in graph, ext
        assert (ilo, URIRef(TKG + "descendsFrom"), URIRef(ID + "org/left-opposition")) in graph, ext
        # statements that point at it
        assert (URIRef(ID + "org/communist-league-france"), URIRef(TKG + "sectionOf"), ilo) in graph, ext
        # the labels of what it links to, and the document's own metadata
        assert graph.value(URIRef(ID + "person/leon-trotsky"), RDFS.label) is not None, ext
        assert graph.value(URIRef(ID + "org/communist-league-france"), RDFS.label) is not None, ext
        assert (None, URIRef("http://xmlns.com/foaf/0.1/primaryTopic"), ilo) in graph, ext
    assert len({len(g) for g in graphs.values()}) == 1, "every format says the same"


def test_the_dataset_formats_keep_inferred_statements_apart(client_real) -> None:
    response = client_real.get("/id/org/crfi.trig")
    dataset = Dataset()
    dataset.parse(data=response.get_data(as_text=True), format="trig")
    crfi, wsl = URIRef(ID + "org/crfi"), URIRef(ID + "org/workers-socialist-league")
    inferred = dataset.graph(URIRef(GRAPH_INFERRED))
    asserted = dataset.graph(URIRef(GRAPH_ASSERTED))
    assert (crfi, URIRef(TKG + "descendsFrom"), wsl) in inferred
    assert (crfi, URIRef(TKG + "descendsFrom"), wsl) not in asserted


def test_documents_are_cacheable_and_revalidated(client_real) -> None:
    first = client_real.get("/id/person/leon-trotsky.ttl")
    etag = first.headers["ETag"]
    again = client_real.get("/id/person/leon-trotsky.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert 'rel="alternate"; type="application/ld+json"' in first.headers["Link"]
    assert f'<{ID}person/leon-trotsky>; rel="describes"' in first.headers["Link"]


def test_the_canonical_path_form_resolves_too(client_real) -> None:
    response = client_real.get("/trotskyism/id/org/fourth-international", headers={"Accept": "text/turtle"})
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/id/org/fourth-international")
    followed = client_real.get(
        "/trotskyism/id/org/fourth-international", headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    assert followed.status_code == 200 and followed.mimetype == "text/turtle"


def test_a_merged_or_renamed_iri_answers_301_to_its_replacement(client_real, real_store) -> None:
    old = deprecated(real_store)
    replaced = {iri: new for iri, new in old.items() if new}
    assert replaced, "the data deprecates some IRIs in favour of others"
    for iri, new in sorted(replaced.items()):
        path, new_path = iri[len(ID) - 3 :], new[len(ID) - 3 :]
        for accept, ext in (("text/html", "html"), ("text/turtle", "ttl"), ("application/ld+json", "jsonld")):
            response = client_real.get(path, headers={"Accept": accept})
            assert response.status_code == 301, (path, accept)
            assert response.headers["Location"].endswith(new_path), (path, accept)
            document = client_real.get(f"{path}.{ext}")
            assert document.status_code == 301, (path, ext)
            assert document.headers["Location"].endswith(f"{new_path}.{ext}"), (path, ext)
            followed = client_real.get(path, headers={"Accept": accept}, follow_redirects=True)
            assert followed.status_code == 200, (path, accept)
        turtle = client_real.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
        graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
        assert (URIRef(new), None, None) in graph
    withdrawn = [iri for iri, new in old.items() if new is None]
    for iri in withdrawn:  # no replacement: the IRI still answers, with why it was withdrawn
        page = client_real.get(iri[len(ID) - 3 :], headers={"Accept": "text/turtle"}, follow_redirects=True)
        assert page.status_code == 200
        graph = Graph().parse(data=page.get_data(as_text=True), format="turtle")
        assert (URIRef(iri), URIRef("http://www.w3.org/2002/07/owl#deprecated"), None) in graph


def test_a_claim_has_an_iri_that_dereferences_with_its_evidence(client_real, real_store) -> None:
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    query = f"""SELECT ?c ?s WHERE {{ ?c a <{TKG}Claim> ; <{rdf}subject> ?s ;
      <{rdf}predicate> <{TKG}sectionOf> }} ORDER BY ?c LIMIT 1"""
    row = next(iter(real_store.query(query).solutions()))
    claim, about = row["c"].value, row["s"].value
    assert claim.startswith(ID + "claim/")
    response = client_real.get(claim[len(ID) - 3 :], headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    evidence = list(graph.objects(URIRef(claim), URIRef(TKG + "evidence")))
    assert evidence and all(graph.value(e, RDFS.label) is not None for e in evidence)
    # and the claim travels with the description of what it is about
    described = client_real.get(about[len(ID) - 3 :] + ".ttl")
    about_graph = Graph().parse(data=described.get_data(as_text=True), format="turtle")
    assert (URIRef(claim), None, None) in about_graph


def test_index_pages_list_every_resource_of_a_kind(client_real, real_store) -> None:
    page = client_real.get("/id/person/").get_data(as_text=True)
    people = {iri for iri in resources(real_store) if iri.startswith(ID + "person/")}
    linked = {ID + "person/" + slug for slug in re.findall(r'href="/id/person/([a-z0-9-]+)"', page)}
    assert linked == people
    assert client_real.get("/id/person/?page=x").status_code == 400
    assert client_real.get("/id/person/?page=99").status_code == 404


@pytest.mark.parametrize(("ext", "syntax"), [("nq", "nquads"), ("trig", "trig")])
def test_quad_documents_hold_the_description_in_their_default_graph(client_real, ext, syntax) -> None:
    """A Linked Data client queries a document's default graph: the statements are there, named graphs too."""
    dataset = Dataset(default_union=False)
    dataset.parse(data=client_real.get(f"/id/org/crfi.{ext}").get_data(as_text=True), format=syntax)
    default = dataset.default_context
    turtle = Graph().parse(data=client_real.get("/id/org/crfi.ttl").get_data(as_text=True), format="turtle")
    crfi, wsl = URIRef(ID + "org/crfi"), URIRef(ID + "org/workers-socialist-league")
    assert (crfi, URIRef(TKG + "descendsFrom"), wsl) in default
    about = {t for t in turtle if not str(t[0]).startswith("http://localhost/")}  # not the document's own
    assert {t for t in default if not str(t[0]).startswith("http://localhost/")} == about
    assert (crfi, URIRef(TKG + "descendsFrom"), wsl) in dataset.graph(URIRef(GRAPH_INFERRED))
