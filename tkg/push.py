"""``tkg build --push``: the built graph into a remote store, switched in atomically.

Through the SPARQL 1.1 Graph Store Protocol (``TKG_STORE_GSP_URL``), in three steps:

1. each named graph of the build goes into a graph named for the version
   (:func:`tkg.remote.physical`), in chunks of N-Triples (the first replaces
   whatever a killed push left there, the others add to it), with progress;
   the sizes are then checked with a query;
2. the one switch: the record graph (:data:`tkg.remote.RECORD_GRAPH`) is
   replaced by the new version's record, in one request; front ends read it
   again within ``TKG_STORE_VERSION_TTL`` seconds;
3. after a grace period (front ends still on the old version finish their
   queries on it), every other version's graphs are removed: the previous
   version's, and those a killed push left behind.

A push killed before step 2 leaves the record, and so the served version,
untouched; killed after it, the new version is complete and served. Either
way the next push succeeds and clears what was left. Blank nodes stay
together: every triple that has one goes in the graph's last chunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from . import failpoints
from .config import Settings
from .namespaces import BASE
from .reads import bind, text
from .remote import JSON_RESULTS, RECORD_GRAPH, RemoteStore, physical, record_triples, rename_triple
from .storage import Manifest, open_store_dir

PUSH_POINTS = ("push:chunk", "push:uploaded", "push:switched", "push:cleaned")
CHUNK = 50_000


class PushError(Exception):
    """The store refused the push, or did not keep what was sent."""


class GraphStore:
    """A Graph Store Protocol endpoint, with Basic or Digest authentication as the store asks."""

    def __init__(self, settings: Settings) -> None:
        if not settings.store_gsp_url:
            raise PushError("TKG_STORE_GSP_URL is not set: where should the graph go?")
        self.url = settings.store_gsp_url
        self.session = requests.Session()
        self.credentials = (settings.store_user, settings.store_password)
        self.auth: AuthBase | None = None

    def send(self, method: str, graph: str, body: bytes | None = None) -> None:
        """One Graph Store Protocol request; a store that cannot be reached is a :class:`PushError`."""
        try:
            self._send(method, graph, body)
        except requests.RequestException as error:
            raise PushError(f"{method} {graph}: the store at {self.url} did not answer: {error}") from error

    def _send(self, method: str, graph: str, body: bytes | None) -> None:
        headers = {"Content-Type": "application/n-triples"} if body is not None else {}
        params = {"graph": graph}
        response = self.session.request(
            method, self.url, params=params, data=body, headers=headers, auth=self.auth, timeout=600
        )
        if response.status_code == 401 and self.auth is None and self.credentials[0]:
            user, password = self.credentials
            challenge = response.headers.get("WWW-Authenticate", "")
            digest = challenge.lower().startswith("digest")
            self.auth = (HTTPDigestAuth if digest else HTTPBasicAuth)(user or "", password or "")
            response = self.session.request(
                method, self.url, params=params, data=body, headers=headers, auth=self.auth, timeout=600
            )
        if response.status_code == 404 and method == "DELETE":
            return  # already gone
        if response.status_code >= 300:
            said = response.text[:300].strip()
            raise PushError(f"{method} {graph}: the store answered {response.status_code} {said}")


def chunks(triples: Iterable[ox.Triple], size: int) -> Iterable[list[ox.Triple]]:
    """``triples`` in lists of ``size``; every triple with a blank node in the last list.

    >>> e = ox.NamedNode("http://e/x")
    >>> parts = list(chunks([ox.Triple(ox.BlankNode("b"), e, e), *[ox.Triple(e, e, e)] * 3], 2))
    >>> [len(p) for p in parts], parts[-1][0].subject == ox.BlankNode("b")
    ([2, 1, 1], True)
    """
    blank: list[ox.Triple] = []
    part: list[ox.Triple] = []
    for triple in triples:
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            blank.append(triple)
            continue
        part.append(triple)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part
    if blank:
        yield blank


def push(
    settings: Settings,
    report: Callable[[str], None] = print,
    chunk: int = CHUNK,
    grace: float | None = None,
) -> Manifest:
    """Push the current build to the remote store and switch every front end to it."""
    if not settings.store_url:
        raise PushError("TKG_STORE_URL is not set: the push reads the store's version record there")
    grace = settings.store_version_ttl + settings.query_timeout if grace is None else grace
    store, manifest, directory = open_store_dir(settings.current_store)
    remote = RemoteStore(settings, pool=2)
    gsp = GraphStore(settings)
    before = remote.read_record()
    started = time.monotonic()
    if before is not None and before.manifest.version == manifest.version:
        report(f"version {manifest.version} is already the one served")
    else:
        names = {graph: physical(graph, manifest.version) for graph in manifest.graphs}
        for graph, count in manifest.graphs.items():
            target = names[graph]
            sent = 0
            # a graph's name in a triple is renamed too: queries and answers are renamed everywhere
            triples = (
                rename_triple(q.triple, names)
                for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            )
            for number, part in enumerate(chunks(triples, chunk)):
                body = ox.serialize(part, format=ox.RdfFormat.N_TRIPLES) or b""
                gsp.send("PUT" if number == 0 else "POST", target, body)
                sent += len(part)
                report(f"  {sent:>9} / {count} triples  <{target}>")
                failpoints.reached("push:chunk")
            if count == 0:
                gsp.send("PUT", target, b"")
        _check_sizes(remote, manifest)
        failpoints.reached("push:uploaded")
        record = ox.serialize(record_triples(manifest), format=ox.RdfFormat.N_TRIPLES) or b""
        gsp.send("PUT", RECORD_GRAPH, record)
        report(f"switched: version {manifest.version} is served ({time.monotonic() - started:.1f} s)")
        failpoints.reached("push:switched")
        if grace > 0:
            report(f"waiting {grace:g} s for front ends still on the old version")
            time.sleep(grace)
    keep = {physical(g, manifest.version) for g in manifest.graphs}
    for graph in stale(remote, keep):
        gsp.send("DELETE", graph)
        report(f"removed <{graph}>")
    failpoints.reached("push:cleaned")
    del store
    report(f"pushed {manifest.triples} triples from {directory} in {time.monotonic() - started:.1f} s")
    return manifest


def _check_sizes(remote: RemoteStore, manifest: Manifest) -> None:
    """Refuse to switch to a version whose graphs the store did not keep whole."""
    for graph, count in manifest.graphs.items():
        target = physical(graph, manifest.version)
        query = bind(text("graph-size"), {"graph": ox.NamedNode(target)})
        _headers, body = remote.endpoint.post(
            [("query", query), ("named-graph-uri", target)], JSON_RESULTS, 600, 1_000_000
        )
        rows = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        held = next(iter(rows))["n"] if isinstance(rows, ox.QuerySolutions) else None
        if held is None or int(held.value) != count:
            got = "nothing" if held is None else held.value
            raise PushError(f"<{target}> holds {got} triples, not {count}: not switched")


def stale(remote: RemoteStore, keep: set[str]) -> list[str]:
    """The versioned graphs of this dataset in the store that are not the served version's."""
    query = bind(text("versioned-graphs"), {"prefix": ox.Literal(BASE + "graph/")})
    _headers, body = remote.endpoint.post([("query", query)], JSON_RESULTS, 600, 100_000_000)
    rows = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    found = [row["g"].value for row in rows] if isinstance(rows, ox.QuerySolutions) else []
    return sorted(g for g in found if g not in keep)
