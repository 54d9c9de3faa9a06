"""Canned queries: ``queries/*.rq`` files with a grlc-style header, and their typed parameters.

A file starts with ``#+ key: value`` lines, read together as YAML (grlc's
decorator syntax): ``summary``, ``description``, ``tags``, and ``params`` (per
parameter: a ``label``, the ``class`` its suggestions come from, a
``default``). Parameters are the query's ``?_name_type`` variables
(``?__name_type`` when optional). A value from a form or URL is checked
against its type and turned into an RDF term, which is *bound* to the variable
when the query runs (a ``VALUES`` block written by pyoxigraph at the top of the
``WHERE``, see :func:`tkg.reads.bind`): user text is never pasted into query text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import yaml

from .config import ROOT
from .namespaces import PREFIXES, XSD, rebase
from .reads import bind
from .sparql_text import blank, query_kind, rebase_query

QUERIES_DIR = ROOT / "queries"

#: grlc parameter types and the datatype of the literal each becomes (``iri`` is a named node).
TYPES = {
    "iri": None,
    "integer": XSD + "integer",
    "decimal": XSD + "decimal",
    "string": XSD + "string",
    "date": XSD + "date",
    "boolean": XSD + "boolean",
}
_PARAM = re.compile(r"[?$](?P<var>(?P<optional>__|_)(?P<name>[A-Za-z][A-Za-z0-9]*)_(?P<type>[a-z]+))\b")
_LEXICAL = {
    "integer": re.compile(r"[+-]?\d{1,18}"),
    "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    "date": re.compile(r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"),
    "boolean": re.compile(r"true|false|1|0"),
}
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
#: Longest value a parameter may have: enough for any IRI or search text of this dataset.
MAX_VALUE_LENGTH = 2000


class ParameterError(ValueError):
    """A parameter value is missing or is not of the parameter's type."""


@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a canned query (``?_org_iri``: name ``org``, type ``iri``)."""

    name: str
    type: str
    variable: str
    optional: bool
    label: str
    rdf_class: str | None = None
    default: str | None = None
    help: str = ""

    def bind(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value typed by a person or a program, or :class:`ParameterError`."""
        value = value.strip()
        if len(value) > MAX_VALUE_LENGTH:
            raise ParameterError(f"{self.name}: the value is longer than {MAX_VALUE_LENGTH} characters")
        if self.type == "iri":
            return ox.NamedNode(expand_iri(self.name, value))
        if self.type in _LEXICAL and not _LEXICAL[self.type].fullmatch(value):
            raise ParameterError(f"{self.name}: {value!r} is not a valid {self.type}")
        datatype = TYPES[self.type]
        assert datatype is not None  # only ``iri`` has no datatype, and it returned above
        return ox.Literal(value, datatype=ox.NamedNode(datatype))


def expand_iri(name: str, value: str) -> str:
    """An absolute IRI from an IRI or a prefixed name (``org:crfi``), checked by pyoxigraph."""
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise ParameterError(f"{name}: {value!r} is not an IRI (nor a known prefixed name such as o:crfi)")
    try:
        return ox.NamedNode(value).value
    except ValueError as error:
        raise ParameterError(f"{name}: {value!r} is not a valid IRI ({error})") from None


@dataclass(frozen=True)
class CannedQuery:
    """A query file: what it answers, its text, its parameters."""

    name: str
    summary: str
    description: str
    tags: tuple[str, ...]
    text: str
    parameters: tuple[Parameter, ...]
    picture: str | None = None
    kind: str = "bindings"
    header: Mapping = field(default_factory=dict, compare=False)

    def bind(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Variable name to RDF term for every parameter given (defaults fill the gaps)."""
        bound = {}
        for param in self.parameters:
            value = values.get(param.name)
            if value is None or not value.strip():
                value = param.default
            if value is None or not value.strip():
                if param.optional:
                    continue
                raise ParameterError(f"{param.name}: a value is required ({param.label})")
            bound[param.variable] = param.bind(value)
        return bound

    def values(self, values: Mapping[str, str]) -> dict[str, str]:
        """The values a page or permalink shows: given ones, else defaults."""
        shown = {}
        for param in self.parameters:
            value = (values.get(param.name) or "").strip() or (param.default or "")
            if value:
                shown[param.name] = value
        return shown

    def editor_text(self, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
        """The query as it runs, its parameter values in a VALUES block, for a person to edit and run."""
        return bind(self.text, bound)


def parse(path: Path) -> CannedQuery:
    """Read one ``.rq`` file; a malformed header raises ``ValueError`` naming the file."""
    # Written under the canonical base; this deployment's IRIs from here on (defaults too, below).
    text = rebase_query(path.read_text(encoding="utf-8"))
    name = path.stem
    if not _NAME.fullmatch(name):
        raise ValueError(f"{path}: a query file name is lowercase words joined by '-'")
    header_lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            header_lines.append(line[2:].removeprefix(" "))
        elif line.strip():
            break
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: the #+ header is not valid YAML: {error}") from None
    if not isinstance(header, dict) or not header.get("summary"):
        raise ValueError(f"{path}: the #+ header needs at least a summary")
    declared = header.get("params") or {}
    params: dict[str, Parameter] = {}
    for match in _PARAM.finditer(blank(text)):
        ptype, pname = match.group("type"), match.group("name")
        if ptype not in TYPES:
            raise ValueError(f"{path}: ?{match.group('var')} has unknown type {ptype!r}; use {sorted(TYPES)}")
        if pname in params:
            continue
        info = declared.get(pname) or {}
        default = info.get("default")
        params[pname] = Parameter(
            name=pname,
            type=ptype,
            variable=match.group("var"),
            optional=match.group("optional") == "__",
            label=str(info.get("label", pname)),
            rdf_class=_expand_class(info.get("class")),
            default=None if default is None else _rebase_default(ptype, str(default)),
            help=str(info.get("help", "")),
        )
    unknown = set(declared) - set(params)
    if unknown:
        raise ValueError(f"{path}: params {sorted(unknown)} are not variables of the query")
    tags = header.get("tags") or []
    return CannedQuery(
        name=name,
        summary=str(header["summary"]).strip(),
        description=str(header.get("description", "")).strip(),
        tags=tuple(str(t) for t in ([tags] if isinstance(tags, str) else tags)),
        text=text,
        parameters=tuple(params.values()),
        picture=header.get("picture"),
        kind=query_kind(text) or "bindings",
        header=header,
    )


def _rebase_default(ptype: str, default: str) -> str:
    """An IRI default written under the canonical base, as this deployment's (never a literal's text)."""
    return rebase(default) if ptype == "iri" else default


def _expand_class(value: str | None) -> str | None:
    if not value:
        return None
    prefix, _, local = value.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else value


@cache
def load_all(directory: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    """Every canned query of a directory, by name (read once per process: the files ship with the code)."""
    return {path.stem: parse(path) for path in sorted(directory.glob("*.rq"))}


def by_tag(queries: Mapping[str, CannedQuery]) -> dict[str, list[CannedQuery]]:
    """Tag to queries, tags in alphabetical order; a query with several tags is under each."""
    groups: dict[str, list[CannedQuery]] = {}
    for query in queries.values():
        for tag in query.tags or ("other",):
            groups.setdefault(tag, []).append(query)
    return {tag: sorted(groups[tag], key=lambda q: q.summary) for tag in sorted(groups)}
