"""Read the W3C SPARQL 1.1 Protocol manifest into runnable tests (nothing retyped by hand)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]  # e.g. {"2xx", "3xx"}
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    graphs: dict[str, Path] = field(default_factory=dict)
    requests: tuple[Request, ...] = ()

    @property
    def is_update(self) -> bool:
        """Whether the test's first request is a SPARQL Update."""
        first = self.requests[0]
        content = first.headers.get("content-type", "")
        body = first.body or b""
        return (
            "sparql-update" in content
            or body.startswith(b"update=")
            or "update=" in first.path
            or (self.name.startswith("update_"))
        )


def load(manifest_path: Path) -> list[ProtocolTest]:
    g = Graph().parse(manifest_path, format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        graphs = {
            str(g.value(data, RDFS.label)): manifest_path.parent / Path(str(g.value(data, UT.graph))).name
            for data in g.objects(entry, UT.graphData)
        }
        action = g.value(entry, MF.action)
        requests = tuple(_request(g, r) for r in Collection(g, g.value(action, HT.requests)))
        name = str(entry).rsplit("#", 1)[-1]
        tests.append(ProtocolTest(name, str(g.value(entry, MF.name)), graphs, requests))
    return tests


def _request(g: Graph, node: URIRef) -> Request:
    headers = {}
    header_list = g.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(g, header_list):
            headers[str(g.value(header, HT.fieldName)).lower()] = str(g.value(header, HT.fieldValue))
    body = None
    content = g.value(node, HT.body)
    if content is not None:
        encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(content, CNT.chars)).encode(encoding.lower())
    response = g.value(node, HT.resp)
    statuses = frozenset(str(s).rsplit("StatusCode", 1)[-1] for s in g.objects(response, MF.expectedStatus))
    fmt = g.value(response, MF.expectedFormat)
    boolean = g.value(response, MF.expectedBoolean)
    return Request(
        method=str(g.value(node, HT.methodName)),
        path=str(g.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        statuses=statuses,
        expected_format=str(fmt) if fmt is not None else None,
        expected_boolean=boolean.toPython() if boolean is not None else None,
    )
