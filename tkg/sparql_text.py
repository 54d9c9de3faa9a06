"""What can be read off a SPARQL query's text before running it.

A small lexer blanks out comments, string literals and IRIs (keeping offsets),
so that keywords can be found without being fooled by ``"SERVICE"`` in a
string or ``#`` in an IRI. Used to negotiate the answer's format before the
query runs and to refuse ``SERVICE`` calls to hosts off the allow-list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .namespaces import BASE, CANONICAL, rebase
from .store import Kind

#: What an IRI may hold between its brackets (SPARQL's IRIREF).
_IRI_CHARS = r"""[^<>"{}|^`\\\x00-\x20]*"""
# A string that never closes ends at the end of its line (short) or of the text (long): a valid query has
# none, and without that end the engine would rescan the rest of the text from every quote (quadratic).
_STRINGS_AND_COMMENTS = (
    r"""(?P<long>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)|\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z))"""
    r"""|(?P<short>'(?:[^'\\\n\r]|\\.)*(?:'|(?=[\n\r])|\Z)|"(?:[^"\\\n\r]|\\.)*(?:"|(?=[\n\r])|\Z))"""
    r"""|(?P<comment>\#[^\n\r]*)"""
)
_TOKEN = re.compile(
    _STRINGS_AND_COMMENTS.replace("|(?P<comment>", f"|(?P<iri><{_IRI_CHARS}>)|(?P<comment>"), re.DOTALL
)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?(?P<target>\S)", re.IGNORECASE)
_UPDATE = re.compile(
    r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b(?=\s*(DATA|WHERE|SILENT|GRAPH|DEFAULT|NAMED|ALL|\{|<|\?|$))",
    re.IGNORECASE,
)

_FROM = re.compile(r"(?<![\w:?$-])FROM\s+(NAMED\s+)?(<|[A-Za-z][\w.-]*:|:)", re.IGNORECASE)

_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)

KINDS: dict[str, Kind] = {"SELECT": "bindings", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def blank(query: str) -> str:
    """The query with comments, strings and IRIs replaced by spaces (IRIs keep their brackets)."""

    def repl(match: re.Match[str]) -> str:
        text = match.group(0)
        if match.lastgroup == "iri":
            return "<" + " " * (len(text) - 2) + ">"
        return " " * len(text)

    return _TOKEN.sub(repl, query)


def rebase_query(query: str) -> str:
    """The query with its IRIs (``<…>``, PREFIX declarations too) under the canonical ``id/`` and
    ``graph/`` rewritten to this deployment's base; strings and comments are left as written.

    >>> rebase_query('SELECT * { ?s ?p "https://w3id.org/trotskyism/id/x" }') == (
    ...     'SELECT * { ?s ?p "https://w3id.org/trotskyism/id/x" }')
    True
    """
    if BASE == CANONICAL:
        return query

    def repl(match: re.Match[str]) -> str:
        text = match.group(0)
        return "<" + rebase(text[1:-1]) + ">" if match.lastgroup == "iri" else text

    return _TOKEN.sub(repl, query)


def query_kind(query: str) -> Kind | None:
    """The kind of result the query form gives, or None if no query form is found."""
    return _kind(blank(query))


def _kind(blanked: str) -> Kind | None:
    match = _FORM.search(blanked)
    return KINDS[match.group(1).upper()] if match else None


@dataclass(frozen=True, slots=True)
class Shape:
    """What the endpoint reads off a query before running it, from one pass of the lexer.

    >>> shape('SELECT * { SERVICE <http://e/q> { ?s ?p "SERVICE <x>" } } # DROP ALL')
    Shape(kind='bindings', update=False, services=['http://e/q'])
    """

    kind: Kind | None
    update: bool
    services: list[str | None]


#: :data:`_TOKEN` with an IRI's inside matched (after its ``<``, before its ``>``, tried first as the
#: ``<`` would be), so that one constant replaces every token: a substitution the regex engine does
#: alone, where a template (``\g<open>``) costs a Python call per token.
_TOKEN_INSIDE = re.compile(f"(?P<iri>(?<=<){_IRI_CHARS}(?=>))|{_STRINGS_AND_COMMENTS}", re.DOTALL)


def shape(query: str) -> Shape:
    """:func:`query_kind`, :func:`looks_like_update` and :func:`service_targets` of ``query`` at once.

    The keywords are read off a compact blanking (strings and comments made a space, IRIs
    ``< >``), written by the regex engine alone; the offsets :func:`blank` keeps are only needed
    to read SERVICE targets, when the word is there.
    """
    compact = _TOKEN_INSIDE.sub(" ", query)
    kind = _kind(compact)
    services = service_targets(query) if "SERVICE" in compact.upper() else []
    return Shape(kind, _update(compact, kind), services)


@dataclass(frozen=True)
class AskProbe:
    """An ASK query rewritten as a SELECT of a constant, to be parsed and never read.

    pyoxigraph evaluates an ASK as it parses it, a SELECT only as its rows are read:
    parsing the probe checks an ASK's syntax without running it (``ASK`` with a
    cross product of ``VALUES`` would otherwise run in the web process, unbounded).
    """

    text: str
    line: int
    column: int
    shift: int

    def position(self, message: str) -> str:
        """The parser's message with its ``line:column`` read back into the original query."""

        def back(match: re.Match[str]) -> str:
            line, column = int(match.group(1)), int(match.group(2))
            if line == self.line and column > self.column:
                column = max(self.column, column - self.shift)
            return f"at {line}:{column}"

        return _POSITION.sub(back, message, count=1)


_POSITION = re.compile(r"at (\d+):(\d+)")
#: Projected by the probe; a name no query uses.
_PROBE = "SELECT (1 AS ?tkg_ask_probe_0c4f)"


def ask_probe(query: str) -> AskProbe | None:
    """The probe for an ASK query (None for any other form).

    >>> probe = ask_probe("ASK { ?s ?p }")
    >>> probe.text
    'SELECT (1 AS ?tkg_ask_probe_0c4f) { ?s ?p }'
    >>> probe.position("error at 1:44: expected one of LATERAL")
    'error at 1:14: expected one of LATERAL'
    """
    match = _FORM.search(blank(query))
    if match is None or match.group(1).upper() != "ASK":
        return None
    before = query[: match.start()]
    line = before.count("\n") + 1
    column = match.start() - (before.rfind("\n") + 1) + 1
    text = before + _PROBE + query[match.end() :]
    return AskProbe(text, line, column, len(_PROBE) - len(match.group(1)))


def looks_like_update(query: str) -> bool:
    """Whether the text is a SPARQL Update rather than a query."""
    blanked = blank(query)
    return _update(blanked, _kind(blanked))


def _update(blanked: str, kind: Kind | None) -> bool:
    return kind is None and _UPDATE.search(blanked) is not None


def service_targets(query: str) -> list[str | None]:
    """The endpoint IRI of each SERVICE clause (None for a variable endpoint)."""
    return _targets(query, blank(query))


def _targets(query: str, blanked: str) -> list[str | None]:
    targets: list[str | None] = []
    for match in _SERVICE.finditer(blanked):
        start = match.start("target")
        if blanked[start] == "<":
            end = blanked.find(">", start)
            targets.append(query[start + 1 : end] if end > 0 else None)  # no ">": not checkable, refused
        else:
            targets.append(None)  # a variable or prefixed name: not checkable, refused
    return targets


def refused_services(
    query: str, allowed_hosts: Iterable[str], targets: list[str | None] | None = None
) -> list[str]:
    """The SERVICE endpoints of a query that the allow-list does not name (``targets``: its
    :func:`service_targets`, if already read)."""
    allowed = {h.lower() for h in allowed_hosts}
    refused = []
    for target in service_targets(query) if targets is None else targets:
        host = urlsplit(target).hostname if target else None
        if host is None or host.lower() not in allowed:
            refused.append(target or "(a variable or prefixed name)")
    return refused


def dataset_clause(query: str) -> tuple[list[str], list[str]] | None:
    """The IRIs of the query's ``FROM`` and ``FROM NAMED`` clauses, ``None`` if it has neither.

    Prefixed names are expanded with the query's own ``PREFIX`` declarations.

    >>> dataset_clause("PREFIX g: <http://e/> SELECT * FROM <http://e/a> FROM NAMED g:b { ?s tkg:from ?o }")
    (['http://e/a'], ['http://e/b'])
    >>> dataset_clause("SELECT * { ?s tkg:from ?from ; tkg:x ?_from }") is None
    True
    """
    blanked = blank(query)
    found = list(_FROM.finditer(blanked))
    if not found:
        return None
    prefixes = {m.group(1): m.group(2) for m in _PREFIX.finditer(query)}
    default: list[str] = []
    named: list[str] = []
    for match in found:
        start = match.start(2)
        if blanked[start] == "<":
            iri = query[start + 1 : blanked.index(">", start)]
        else:
            name = re.match(r"([A-Za-z][\w.-]*)?:([\w.-]*)", query[start:])
            prefix = name.group(1) or "" if name else ""
            iri = prefixes.get(prefix, "urn:tkg:unknown-prefix:") + (name.group(2) if name else "")
        (named if match.group(1) else default).append(iri)
    return default, named


def replace_iris(query: str, mapping: Mapping[str, str]) -> str:
    """The query with every IRI written in full (``<...>``) that ``mapping`` names replaced.

    Strings and comments are left alone: only IRI tokens change.

    >>> replace_iris('SELECT * { GRAPH <http://e/g> { ?s ?p "<http://e/g>" } }', {"http://e/g": "http://e/g/v1"})
    'SELECT * { GRAPH <http://e/g/v1> { ?s ?p "<http://e/g>" } }'
    """

    def repl(match: re.Match[str]) -> str:
        text = match.group(0)
        if match.lastgroup == "iri" and text[1:-1] in mapping:
            return f"<{mapping[text[1:-1]]}>"
        return text

    return _TOKEN.sub(repl, query)


def nesting(query: str) -> int:
    """How deep the query's groups, brackets and parentheses nest (strings and IRIs aside).

    >>> nesting('SELECT * { { ?s ?p "{{{" } FILTER ((1)) }')
    3
    """
    depth = deepest = 0
    for char in blank(query):
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    return deepest
