"""A remote SPARQL 1.1 store (Oxigraph server, Virtuoso, ...) behind the one read path.

``tkg build --push`` (:mod:`tkg.push`) writes each version of the dataset into
graphs named for it (``{graph}/v/{version}``), then replaces one small *record*
graph that says which version is current; front ends read the record (again
every ``TKG_STORE_VERSION_TTL`` seconds) and scope every query to that
version's graphs:

- without a dataset of its own, a query gets the version's three graphs as
  default graph (their union, as the embedded store answers) and as named
  graphs (``default-graph-uri`` / ``named-graph-uri`` of the protocol), so it
  never sees another version, the record, or other graphs the store holds;
- the public graph names (``.../graph/asserted`` ...) are renamed to the
  version's by one bijection applied everywhere: by the push in the data
  (where a name also occurs inside triples), here in the query's IRIs, in its
  ``FROM``/``FROM NAMED`` (sent as the protocol's dataset) and in a client's
  ``default-graph-uri`` / ``named-graph-uri``; answers are renamed back, so
  that ``GRAPH ?g`` gives the public names, as the embedded store does. Graph
  names a client gives that are not the dataset's are read as empty graphs.

The query is parsed here first (pyoxigraph, over an empty store), so a
malformed query gets the same 400 and message as over the embedded store, and
the engine's dialect (Virtuoso accepts non-standard syntax) is never exposed.
The answer comes back as SPARQL JSON or N-Triples, is parsed by pyoxigraph and
written by the same serialisers as the embedded store's answers.

Budget: the engine's own timeout where it has one (Virtuoso's ``timeout``
parameter, sent with every query; the Oxigraph server's ``--timeout-s``, set by
its operator) and a deadline on this side. An answer the engine cut short is
never passed on: the Oxigraph server's 200 whose body ends in "The SPARQL
operation has been cancelled" and Virtuoso's partial ("anytime") answer
flagged by ``X-SQL-State`` both become :class:`~tkg.store.QueryTimeout`
(503). A store that does not answer is :class:`~tkg.store.StoreUnavailable`
(503, ``Retry-After``); the next request tries again.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import requests
from requests.adapters import HTTPAdapter

from . import statistics
from .config import Settings
from .dumps import DUMPS, INDEX, write_dumps
from .namespaces import BASE, DCTERMS, VOID, XSD, prologue
from .reads import bind, text
from .sparql_text import ask_probe, dataset_clause, nesting, replace_iris
from .storage import Manifest
from .store import (
    Dataset,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    Result,
    ResultTooLarge,
    StoreUnavailable,
    Substitutions,
    Term,
)

#: The graph whose one version record says which version every front end serves.
RECORD_GRAPH = BASE + "graph/record"
#: A graph name that holds nothing: what a client's graph names outside the dataset read as.
EMPTY_GRAPH = BASE + "graph/none"
VOID_TRIPLES = VOID + "triples"
#: What the Oxigraph server writes at the end of a 200 whose query it stopped at its timeout.
OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
#: An answer's raw bytes may be this many times the cap on the written answer (JSON is verbose).
RAW_FACTOR = 4
CONNECT_TIMEOUT = 3.0
#: Levels of nesting a query may have (pyoxigraph's parser overflows the stack at a few thousand).
MAX_NESTING = 256
#: The folder of the cache directory (``TKG_CACHE_DIR``) that holds the versions' copies of the dumps,
#: its lock file, and the prefix of a copy being made.
COPIES, LOCK, PARTIAL = "remote", ".lock", ".partial-"


def physical(graph: str, version: str) -> str:
    """The name of ``graph`` in ``version``, in the remote store.

    >>> physical("https://w3id.org/trotskyism/graph/asserted", "abc")
    'https://w3id.org/trotskyism/graph/asserted/v/abc'
    """
    return f"{graph}/v/{version}"


def record_triples(manifest: Manifest) -> list[ox.Triple]:
    """The version record of ``manifest``: its version, date, and each graph's name and size."""
    record = ox.NamedNode(RECORD_GRAPH)
    triples = [
        ox.Triple(record, ox.NamedNode(DCTERMS + "hasVersion"), ox.Literal(manifest.version)),
        ox.Triple(
            record,
            ox.NamedNode(DCTERMS + "modified"),
            ox.Literal(manifest.built, datatype=ox.NamedNode(XSD + "dateTime")),
        ),
    ]
    for graph, count in manifest.graphs.items():
        node = ox.NamedNode(physical(graph, manifest.version))
        triples += [
            ox.Triple(record, ox.NamedNode(DCTERMS + "hasPart"), node),
            ox.Triple(node, ox.NamedNode(DCTERMS + "isVersionOf"), ox.NamedNode(graph)),
            ox.Triple(
                node,
                ox.NamedNode(VOID_TRIPLES),
                ox.Literal(str(count), datatype=ox.NamedNode(XSD + "integer")),
            ),
        ]
    return triples


@dataclass(frozen=True)
class Current:
    """The version a front end serves: its manifest, and each public graph's name in the store."""

    manifest: Manifest
    graphs: dict[str, str]

    @property
    def back(self) -> dict[str, str]:
        return {v: k for k, v in self.graphs.items()}


class Endpoint:
    """A pooled HTTP client for one SPARQL query endpoint, with the errors of the read path."""

    def __init__(self, url: str, pool: int = 32) -> None:
        self.url = url
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def post(
        self, params: Sequence[tuple[str, str]], accept: str, budget: float, max_bytes: int
    ) -> tuple[requests.structures.CaseInsensitiveDict, bytes]:
        """POST a query; its headers and whole body, read within ``budget`` seconds and ``max_bytes``."""
        deadline = time.monotonic() + budget
        try:
            response = self.session.post(
                self.url,
                data=list(params),
                headers={"Accept": accept},
                timeout=(CONNECT_TIMEOUT, budget),
                stream=True,
            )
            chunks, size = [], 0
            with response:
                for chunk in response.iter_content(65536):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ResultTooLarge(f"the result is over {max_bytes} bytes; add a LIMIT")
                    if time.monotonic() > deadline:
                        raise _timeout(budget)
                    chunks.append(chunk)
        except requests.Timeout:
            raise _timeout(budget) from None
        except requests.RequestException as error:
            raise StoreUnavailable(
                f"the store at {self.url} did not answer ({type(error).__name__})"
            ) from None
        body = b"".join(chunks)
        check(response.status_code, response.headers, body, budget)
        return response.headers, body


def _timeout(budget: float) -> QueryTimeout:
    return QueryTimeout(f"the query ran past its time budget of {budget:g} s and was stopped")


def check(status: int, headers: Mapping[str, str], body: bytes, budget: float) -> None:
    """Refuse an answer the engine cut short or failed, with the read path's error for it.

    >>> check(200, {}, b'{"head":{"vars":["s"]},"results":{"bindings":[', 1)  # cut, but not by a timeout
    >>> check(200, {}, b'{"head": ... The SPARQL operation has been cancelled', 1)
    Traceback (most recent call last):
    tkg.store.QueryTimeout: the query ran past its time budget of 1 s and was stopped
    >>> check(200, {"X-SQL-State": "S1TAT"}, b"{}", 1)
    Traceback (most recent call last):
    tkg.store.QueryTimeout: the query ran past its time budget of 1 s and was stopped
    """
    if "X-SQL-State" in headers or OXIGRAPH_CANCELLED in body[-200:]:
        raise _timeout(budget)
    if status == 200:
        return
    message = body[:300].decode("utf-8", "replace").strip().splitlines()
    said = message[0] if message else f"HTTP {status}"
    if b"S1T00" in body[:1000]:  # Virtuoso: the query reached its timeout before any answer
        raise _timeout(budget)
    if status in (502, 503, 504):
        raise StoreUnavailable(f"the store answered {status}: {said}")
    raise QueryFailed(f"the store refused the query ({status}): {said}")


#: The version pinned for the request being answered: every query of one request reads one version.
_PINNED: contextvars.ContextVar[dict[str, Current] | None] = contextvars.ContextVar(
    "tkg_pinned", default=None
)


class RemoteStore:
    """The dataset in a remote store, as the read path sees it (a :class:`~tkg.store.GraphStore`)."""

    def __init__(self, settings: Settings, pool: int = 32) -> None:
        if not settings.store_url:
            raise ValueError("TKG_STORE_URL is not set")
        self.endpoint = Endpoint(settings.store_url, pool)
        self.ttl = settings.store_version_ttl
        self.timeout = settings.query_timeout
        self.max_bytes = settings.max_result_bytes * RAW_FACTOR
        self._lock = threading.Lock()
        self._held: tuple[float, Current] | None = None
        self._copies = settings.caches / COPIES
        self._copy_lock = threading.Lock()

    # --- which version is served

    def read_record(self) -> Current | None:
        """The version record as the store holds it now (``None``: nothing pushed yet)."""
        params = [("query", prologue() + text("version-record")), ("named-graph-uri", RECORD_GRAPH)]
        _headers, body = self.endpoint.post(params, JSON_RESULTS, self.timeout, self.max_bytes)
        rows = _parse_results(body)
        if not isinstance(rows, ox.QuerySolutions):
            raise StoreUnavailable("the store answered the version query with a boolean")
        version = built = None
        graphs: dict[str, str] = {}
        counts: dict[str, int] = {}
        for row in rows:
            version, built = _text(row["version"]), _text(row["built"])
            if row["graph"] is not None:  # a dataset without graphs has a record all the same
                graph, node = _text(row["graph"]), _text(row["physical"])
                graphs[graph], counts[graph] = node, int(_text(row["triples"]))
        if version is None or built is None:
            return None
        return Current(Manifest(version, built, counts, {}), graphs)

    def current(self) -> Current:
        """The version served: pinned for the request, else re-read once it is ``ttl`` seconds old."""
        pinned = _PINNED.get()
        if pinned is not None and "current" in pinned:
            return pinned["current"]
        with self._lock:
            held = self._held
        if held is None or time.monotonic() - held[0] > self.ttl:
            found = self.read_record()
            if found is None:
                raise StoreUnavailable(
                    f"the store at {self.endpoint.url} holds no version of the dataset yet (tkg build --push)"
                )
            held = (time.monotonic(), found)
            with self._lock:
                self._held = held
        if pinned is not None:
            pinned["current"] = held[1]
        return held[1]

    def begin(self) -> None:
        """Start a request: its queries will all read the version current at its first query."""
        _PINNED.set({})

    def end(self, _error: BaseException | None = None) -> None:
        _PINNED.set(None)

    @property
    def version(self) -> str:
        return self.current().manifest.version

    @property
    def manifest(self) -> Manifest:
        return self.current().manifest

    @property
    def directory(self) -> Path:
        """The served version's dumps and statistics, copied from the store on first use.

        The dumps are written by the build's own code (:func:`tkg.dumps.write_dumps`) from the
        version's graphs as the store holds them, so a front end needs no build. The copy is a cache,
        ``{caches}/remote/{version}`` (``TKG_CACHE_DIR``): made once per version for every worker and
        every restart, by one process at a time (a lock on the directory, which the system releases
        when its holder dies), written under a temporary name and renamed whole, so that no reader
        sees half a copy; a killed maker leaves only its partial copy, which the next maker removes.
        A graph that does not hold the triples the version's record counts (a push removed the version
        meanwhile) is not copied: the copy outlives the process, and the version may be pushed again.
        Making a version's copy removes older ones, but the newest of them, which other workers and
        front ends may serve for ``TKG_STORE_VERSION_TTL`` seconds more.
        """
        current = self.current()
        version = current.manifest.version
        target = self._copies / version
        if (target / DUMPS / INDEX).exists():
            return target
        with self._copy_lock, _locked(self._copies):
            if (target / DUMPS / INDEX).exists():  # made meanwhile, by another thread or process
                return target
            store = ox.Store()  # in memory: the version's graphs under their public names
            for graph, name in current.graphs.items():
                query = bind(text("graph-triples"), {"graph": ox.NamedNode(name)})
                headers, body = self.endpoint.post(
                    [("query", query), ("named-graph-uri", name)], N_TRIPLES, 600, 1 << 40
                )
                triples = _triples(body, headers.get("Content-Type", N_TRIPLES), current.back)
                if len(triples) != current.manifest.graphs.get(graph):  # removed by a push meanwhile
                    raise StoreUnavailable(
                        f"the store no longer holds {graph} of version {version} whole: not copied"
                    )
                store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples)
            for stale in (*self._copies.glob(f"{PARTIAL}*"), target):  # left by killed makers
                shutil.rmtree(stale, ignore_errors=True)
            partial = self._copies / f"{PARTIAL}{version}"
            write_dumps(store, partial)
            statistics.write(statistics.from_store(store), partial)
            partial.rename(target)
            _prune(self._copies, keep=target)
            return target

    # --- queries

    def query(
        self,
        sparql: str,
        dataset: Dataset | None = None,
        base_iri: str | None = None,
        substitutions: Substitutions | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> Result:
        """Run a query on the served version's graphs, its answer as the embedded store gives it."""
        if substitutions:
            raise TypeError("a remote store binds parameters with tkg.reads.bind, not substitutions")
        current = self.current()
        declared = prologue(dict(prefixes or {}))
        if base_iri:
            declared = f"BASE <{base_iri}>\n" + declared
        kind = _kind(sparql, base_iri, prefixes)  # parsed as the user wrote it: the same line and column
        sent = replace_iris(declared + sparql, current.graphs)
        if not (dataset and (dataset.default_graphs or dataset.named_graphs)):
            clause = dataset_clause(sparql)  # the protocol's dataset takes the place of FROM (as it must)
            if clause:  # a dataset clause names the whole dataset: what it leaves out is empty
                dataset = Dataset(tuple(clause[0]) or (EMPTY_GRAPH,), tuple(clause[1]) or (EMPTY_GRAPH,))
        params = [("query", sent), *scope(current, dataset or Dataset())]
        params.append(("timeout", str(int(self.timeout * 1000))))  # Virtuoso's budget, in ms
        accept = N_TRIPLES if kind == "graph" else JSON_RESULTS
        headers, body = self.endpoint.post(params, accept, self.timeout, self.max_bytes)
        back = current.back if any(name.encode() in body for name in current.back) else {}
        if kind == "graph":
            return Result("graph", _triples(body, headers.get("Content-Type", N_TRIPLES), back))
        parsed = _parse_results(body)
        if isinstance(parsed, ox.QueryBoolean):
            return Result("boolean", parsed)
        try:  # read to the end here: an answer cut short is the store's failure, not the query's
            return Result("bindings", _renamed(parsed, back))
        except (SyntaxError, ValueError) as error:
            raise StoreUnavailable(f"the store's answer could not be read: {error}") from None


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """``directory`` (made if need be) locked against other processes; a dead holder's lock is freed."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and with it the lock


def _prune(copies: Path, keep: Path) -> None:
    """Remove the versions' copies but ``keep`` and the newest other one."""
    versions = [p for p in copies.iterdir() if p != keep and p.is_dir() and not p.name.startswith(".")]
    versions.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in versions[1:]:
        shutil.rmtree(old, ignore_errors=True)


def scope(current: Current, dataset: Dataset) -> list[tuple[str, str]]:
    """The protocol dataset that keeps a query on the served version's graphs.

    >>> c = Current(Manifest("v", "", {}, {}), {"http://g/a": "http://g/a/v/1", "http://g/b": "http://g/b/v/1"})
    >>> scope(c, Dataset())  # doctest: +NORMALIZE_WHITESPACE
    [('default-graph-uri', 'http://g/a/v/1'), ('default-graph-uri', 'http://g/b/v/1'),
     ('named-graph-uri', 'http://g/a/v/1'), ('named-graph-uri', 'http://g/b/v/1')]
    >>> scope(c, Dataset(("http://g/a", "http://elsewhere/x")))  # doctest: +NORMALIZE_WHITESPACE
    [('default-graph-uri', 'http://g/a/v/1'), ('default-graph-uri', 'https://w3id.org/trotskyism/graph/none'),
     ('named-graph-uri', 'http://g/a/v/1'), ('named-graph-uri', 'http://g/b/v/1')]
    """
    ours = list(current.graphs.values())
    default = [current.graphs.get(g, EMPTY_GRAPH) for g in dataset.default_graphs] or ours
    named = [current.graphs.get(g, EMPTY_GRAPH) for g in dataset.named_graphs] or ours
    return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]


def _kind(text: str, base_iri: str | None, prefixes: Mapping[str, str] | None) -> str:
    """The kind of result, from pyoxigraph's own parse (the same 400 as the embedded store's).

    The parse runs in this process (over the embedded store it runs in a query process): a query
    nested deeper than :data:`MAX_NESTING` is refused before it, since pyoxigraph's recursive parser
    overflows the stack on a few thousand levels.
    """
    if nesting(text) > MAX_NESTING:
        raise QuerySyntaxError(f"the query nests groups or expressions more than {MAX_NESTING} levels deep")
    probe = ask_probe(text)  # an ASK is parsed as a SELECT: pyoxigraph would evaluate it here
    try:
        parsed = probe.text if probe else text
        raw = ox.Store().query(parsed, base_iri=base_iri, prefixes=dict(prefixes or {}))
    except SyntaxError as error:
        raise QuerySyntaxError(probe.position(str(error)) if probe else str(error)) from error
    except Exception as error:  # evaluation over an empty store: the form is all that is wanted
        raise QueryFailed(f"{type(error).__name__}: {error}") from error
    if probe is not None:
        return "boolean"
    if isinstance(raw, ox.QuerySolutions):
        return "bindings"
    return "graph" if isinstance(raw, ox.QueryTriples) else "boolean"


#: Virtuoso writes blank nodes in SPARQL JSON as ``nodeID://b10000``, not a valid blank node label.
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')


def _parse_results(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL JSON results as pyoxigraph reads them.

    >>> rows = _parse_results(b'{"head":{"vars":["b"]},"results":{"bindings":['
    ...     b'{"b":{"type":"bnode","value":"nodeID://b10000"}}]}}')
    >>> [str(row["b"]) for row in rows]
    ['_:b10000']
    """
    body = _VIRTUOSO_BNODE.sub(rb"\1", body)
    try:
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as error:
        raise StoreUnavailable(f"the store's answer could not be read: {error}") from None


def _triples(body: bytes, content_type: str, back: Mapping[str, str]) -> list[ox.Triple]:
    media = content_type.split(";")[0].strip() or N_TRIPLES
    fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
    try:
        quads = ox.parse(body, format=fmt)
        return [rename_triple(q.triple, back) if back else q.triple for q in quads]
    except (SyntaxError, ValueError) as error:
        raise StoreUnavailable(f"the store's answer could not be read: {error}") from None


def _rename(term: Term, back: Mapping[str, str]) -> Term:
    if isinstance(term, ox.NamedNode) and term.value in back:
        return ox.NamedNode(back[term.value])
    if isinstance(term, ox.Triple):
        return rename_triple(term, back)
    return term


def rename_triple(triple: ox.Triple, back: Mapping[str, str]) -> ox.Triple:
    """``triple`` with the IRIs ``back`` names replaced (graph names, public <-> the version's)."""
    s, p, o = (_rename(t, back) for t in (triple.subject, triple.predicate, triple.object))
    return ox.Triple(s, p, o)  # type: ignore[arg-type]


def _renamed(solutions: ox.QuerySolutions, back: Mapping[str, str]) -> ox.QuerySolutions:
    """The solutions, read to the end, with the version's graph names replaced by the public ones.

    pyoxigraph reads results lazily; they are written as TSV (whose terms are exactly
    pyoxigraph's ``str``) and read back, so that every serialiser can write them.
    """
    variables = solutions.variables
    lines = ["\t".join(str(v) for v in variables)]
    for row in solutions:
        lines.append("\t".join("" if row[v] is None else str(_rename(row[v], back)) for v in variables))
    parsed = ox.parse_query_results(("\n".join(lines) + "\n").encode(), format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    return parsed


def _text(term: Term | None) -> str:
    if term is None or isinstance(term, ox.Triple):
        raise StoreUnavailable("the store's version record is incomplete")
    return term.value
