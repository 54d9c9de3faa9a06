"""The w3id.org redirect (``docs/w3id/.htaccess``) lands every canonical IRI on a route of the service.

The rules are read from the file and applied as Apache applies them in a directory's ``.htaccess``
(the pattern sees the path below ``trotskyism/``); each target is then requested from the app.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tkg.config import ROOT
from tkg.namespaces import BASE, ID, KINDS, ONTOLOGY_IRI

HTACCESS = ROOT / "docs" / "w3id" / ".htaccess"
W3ID = "https://w3id.org/trotskyism/"


def rules() -> list[tuple[re.Pattern[str], str, str]]:
    found = []
    for line in HTACCESS.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "RewriteRule":
            found.append((re.compile(parts[1]), parts[2], parts[3] if len(parts) > 3 else ""))
    return found


def redirect(iri: str) -> tuple[str, str]:
    """Where w3id.org sends ``iri`` (the fragment stays with the client), and the rule's flags."""
    assert iri.startswith(W3ID)
    path = iri[len(W3ID) :].split("#")[0]
    for pattern, target, flags in rules():
        match = pattern.match(path)
        if match:
            return match.expand(target.replace("$", "\\")), flags
    raise AssertionError(f"no rule for {iri}")


def test_the_rules_redirect_temporarily_and_keep_the_query_string() -> None:
    assert BASE == W3ID
    assert rules(), "no RewriteRule in the .htaccess"
    target, flags = redirect(W3ID + "id/org/crfi")
    assert target.endswith("/id/org/crfi") and target.startswith("https://")
    assert "R=302" in flags or "R=303" in flags
    assert "QSA" in redirect(W3ID + "sparql")[1]


def sample_iris(store) -> list[str]:
    iris = [W3ID, ONTOLOGY_IRI, ONTOLOGY_IRI + "#Split", BASE + "void", BASE + "id/", BASE + "sparql"]
    for kind in KINDS:
        rows = store.query(
            f'SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID}{kind}/")) }} LIMIT 1'
        ).solutions()
        iris += [row["s"].value for row in rows]
    return iris


@pytest.mark.slow
def test_every_kind_of_canonical_iri_lands_on_a_route_of_the_service(client_real, real_store) -> None:
    iris = sample_iris(real_store)
    assert len(iris) > len(KINDS)
    for iri in iris:
        target, _flags = redirect(iri)
        path = urlsplit(target).path.removeprefix("/trotskyism") or "/"
        response = client_real.get(path, headers={"Accept": "text/turtle, text/html;q=0.9"})
        assert response.status_code in (200, 303), (iri, target, response.status_code)
        if response.status_code == 303:
            assert response.headers["Vary"].count("Accept")
