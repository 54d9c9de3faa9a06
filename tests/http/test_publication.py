"""Dumps that round-trip, the VoID description, the ontology documentation and the name search."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections import Counter, defaultdict

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from tkg.dumps import FORMATS
from tkg.namespaces import GRAPH_ONTOLOGY, ID, TKG
from tkg.storage import open_store_dir

VOID = Namespace("http://rdfs.org/ns/void#")


def canonical(quads) -> Counter:
    """Statements as a multiset, each blank node named by the statements around it.

    Dumps may relabel blank nodes (the tkg:Claim reifications, the ontology's
    lists and restrictions); naming each by its neighbourhood compares them
    whatever their labels, in linear time (rdflib's isomorphism is too slow here).
    """
    quads = [(_graph(q), q.subject, q.predicate, q.object) for q in quads]
    around: dict[str, list[str]] = defaultdict(list)
    for g, s, p, o in quads:
        if isinstance(s, ox.BlankNode):
            around[str(s)].append(f"{g} > {p} {'_' if isinstance(o, ox.BlankNode) else o}")
        if isinstance(o, ox.BlankNode):
            around[str(o)].append(f"{g} < {p} {'_' if isinstance(s, ox.BlankNode) else s}")
    names = {b: hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest() for b, lines in around.items()}

    def name(term) -> str:
        return "_:" + names[str(term)] if isinstance(term, ox.BlankNode) else str(term)

    return Counter((g, name(s), str(p), name(o)) for g, s, p, o in quads)


def _graph(statement) -> str:
    """The named graph of a quad; "" for a triple or a quad in the default graph."""
    graph = getattr(statement, "graph_name", None)
    return "" if graph is None or graph == ox.DefaultGraph() else str(graph)


def test_every_dump_round_trips_to_the_store_and_matches_its_checksum(client_real, real_store) -> None:
    listing = client_real.get("/dumps/?format=json").get_json()
    assert listing["version"] == real_store.version
    lines = client_real.get("/dumps/SHA256SUMS").get_data(as_text=True).splitlines()
    sums = {name: digest for digest, name in (line.split("  ") for line in lines)}
    stored = ox.Store.read_only(str(real_store.directory / "oxigraph"))
    quads = [q for q in stored.quads_for_pattern(None, None, None, None) if q.graph_name != ox.DefaultGraph()]
    assert len(quads) == real_store.manifest.triples
    expected_quads = canonical(quads)
    expected_union = canonical({ox.Triple(q.subject, q.predicate, q.object) for q in quads})
    assert {d["name"] for d in listing["dumps"]} == {f"trotskyism.{f.suffix}.gz" for f in FORMATS}
    for dump in listing["dumps"]:
        response = client_real.get(f"/dumps/{dump['name']}")
        assert response.status_code == 200 and response.mimetype == "application/gzip"
        data = response.get_data()
        assert hashlib.sha256(data).hexdigest() == sums[dump["name"]] == dump["sha256"]
        fmt = next(f for f in FORMATS if dump["name"] == f"trotskyism.{f.suffix}.gz")
        parsed = list(ox.parse(gzip.decompress(data), format=fmt.rdf_format))
        if fmt.quads:
            assert canonical(parsed) == expected_quads, f"{dump['name']} differs from the store"
        else:
            assert canonical(parsed) == expected_union, f"{dump['name']} differs from the store's union graph"


def test_unknown_dumps_are_404(client_real) -> None:
    assert client_real.get("/dumps/../manifest.json").status_code == 404
    assert client_real.get("/dumps/trotskyism.xlsx").status_code == 404


def test_void_counts_match_the_store(client_real, real_store) -> None:
    for path in ("/void", "/.well-known/void"):
        response = client_real.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 200 and response.mimetype == "text/turtle"
        assert "Accept" in response.headers["Vary"]
    void = Graph().parse(data=client_real.get("/void?format=turtle").get_data(as_text=True), format="turtle")
    dataset = void.value(predicate=RDF.type, object=VOID.Dataset, any=True)
    dataset = URIRef("https://w3id.org/trotskyism/void#dataset")
    manifest = real_store.manifest
    assert void.value(dataset, VOID.triples).toPython() == manifest.triples
    for iri, count in manifest.graphs.items():
        assert (dataset, VOID.subset, URIRef(iri)) in void
        assert void.value(URIRef(iri), VOID.triples).toPython() == count
    organisations = real_store.query(
        f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{TKG}Organisation> }}"
    ).solutions()
    expected = int(next(organisations)["n"].value)
    partition = next(
        p
        for p in void.objects(dataset, VOID.classPartition)
        if void.value(p, VOID["class"]) == URIRef(TKG + "Organisation")
    )
    assert void.value(partition, VOID.entities).toPython() == expected
    assert str(void.value(dataset, VOID.sparqlEndpoint)).endswith("/sparql")
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/hasVersion")) == Literal(manifest.version)
    dumps = list(void.objects(dataset, VOID.dataDump))
    assert len(dumps) == len(FORMATS)
    for url in dumps:
        assert client_real.get(urlpath(str(url))).status_code == 200
    assert client_real.get("/void", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client_real.get("/void", headers={"Accept": "image/png"}).status_code == 406


def urlpath(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_ontology_documents_every_term_and_serves_rdf(client_real, real_store) -> None:
    redirect = client_real.get("/ontology", headers={"Accept": "text/html"})
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith("/ontology.html")
    assert (
        client_real.get("/ontology", headers={"Accept": "text/turtle"}).headers["Location"].endswith(".ttl")
    )
    html = client_real.get("/ontology.html").get_data(as_text=True)
    terms = {
        row["t"].value
        for row in real_store.query(
            f"SELECT DISTINCT ?t WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?t a ?k }} "
            f'FILTER(STRSTARTS(STR(?t), "{TKG}") && ?k IN (<http://www.w3.org/2002/07/owl#Class>, '
            "<http://www.w3.org/2002/07/owl#ObjectProperty>, "
            "<http://www.w3.org/2002/07/owl#DatatypeProperty>)) }"
        ).solutions()
    }
    assert len(terms) > 50
    for term in terms:
        assert f'id="{term[len(TKG) :]}"' in html, term
    split = html.split('id="Split"', 1)[1].split("</section>", 1)[0]
    assert (
        "Subclass of" in split
        and "tkg:LineageEvent" in split
        and 'class="definition">An organisation' in split
    )
    derived = html.split('id="derivedFrom"', 1)[1].split("</section>", 1)[0]
    assert "Domain" in derived and "Range" in derived and "Property chain" in derived
    assert "tkg:descendsFrom" in derived  # its super-property
    turtle = Graph().parse(data=client_real.get("/ontology.ttl").get_data(as_text=True), format="turtle")
    assert len(turtle) == real_store.manifest.graphs[GRAPH_ONTOLOGY]


def search(client, q: str, **params) -> list[dict]:
    response = client.get("/search", query_string={"q": q, "format": "json", **params})
    assert response.status_code == 200
    return response.get_json()["results"]


def test_search_finds_names_and_acronyms_ignoring_case_and_accents(client_real) -> None:
    assert search(client_real, "ILO")[0]["iri"] == ID + "org/international-left-opposition"
    assert search(client_real, "usfi")[0]["iri"] == ID + "org/united-secretariat-of-the-fourth-international"
    assert search(client_real, "fourth international")[0]["iri"] == ID + "org/fourth-international"
    # accents and case: "La Vérité" (a French name) for "la verite"
    verite = search(client_real, "LA VERITE")
    assert verite and all("rit" in hit["matched"].lower() for hit in verite[:1])
    # names in other languages
    assert any(hit["language"] == "es" for hit in search(client_real, "partido obrero"))
    # ranked: an exact acronym before names that merely contain it
    scores = [hit["score"] for hit in search(client_real, "usfi")]
    assert scores == sorted(scores, reverse=True)
    assert len(search(client_real, "international", limit=3)) == 3
    assert search(client_real, "zzzz-no-such-name") == []


def test_search_refuses_bad_input_and_escapes_it(client_real) -> None:
    assert client_real.get("/search?q=ilo&limit=lots").status_code == 400
    assert client_real.get("/search?format=json").status_code == 400
    assert client_real.get("/search?q=" + "x" * 300).status_code == 400
    page = client_real.get("/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    hop = client_real.get("/search?q=" + ID + "org/fourth-international")
    assert hop.status_code == 303 and hop.headers["Location"].endswith("/id/org/fourth-international")


def test_every_page_has_the_search_box(client_real) -> None:
    for path in (
        "/",
        "/id/",
        "/id/org/fourth-international.html",
        "/ontology.html",
        "/dumps/",
        "/void?format=html",
    ):
        page = client_real.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'id="search-box"' in page, path


def test_store_dump_and_void_agree_on_count_and_checksum(client_real, real_store) -> None:
    """One checksum for the sorted N-Quads of the store and of the dump; VoID counts the same."""
    store, _, _ = open_store_dir(real_store.directory)
    lines = sorted(f"{quad} ." for quad in store.quads_for_pattern(None, None, None, None))
    dump = gzip.decompress(client_real.get("/dumps/trotskyism.nq.gz").data)
    dumped = sorted(f"{quad} ." for quad in ox.parse(dump, format=ox.RdfFormat.N_QUADS))
    assert (
        hashlib.sha256("\n".join(dumped).encode()).digest()
        == hashlib.sha256("\n".join(lines).encode()).digest()
    )
    void = client_real.get("/void", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    counts = [
        int(line.split('"')[1]) for line in void.splitlines() if "<http://rdfs.org/ns/void#triples>" in line
    ]
    assert max(counts) == len(lines) == len(dumped)
