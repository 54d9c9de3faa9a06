"""Between canonical IRIs (``https://w3id.org/trotskyism/...``) and this server's own paths.

The data always speaks canonical IRIs; w3id.org redirects them here path for
path, so ``{BASE}id/org/x`` is served at ``/id/org/x`` on whatever host runs
the service. Pages link with these paths, never with the canonical host, so
that a reader stays on the server they are using.
"""

from __future__ import annotations

from flask import request

from tkg.namespaces import BASE, ID, ONTOLOGY_IRI, TKG


def local_path(iri: str) -> str | None:
    """The path on this server that describes ``iri``, or ``None`` if it is not one of ours."""
    root = request.script_root if request else ""
    if iri.startswith(ID):
        return f"{root}/id/{iri[len(ID) :]}"
    if iri.startswith(str(TKG)):
        return f"{root}/ontology#{iri[len(str(TKG)) :]}"
    if iri == ONTOLOGY_IRI:
        return f"{root}/ontology"
    return None


def href(iri: str) -> str:
    """Where a link to ``iri`` should go: our page for our IRIs, the IRI itself for others."""
    return local_path(iri) or iri


def canonical_iri(url: str) -> str | None:
    """The canonical IRI for a canonical IRI or a URL of this server (``None`` if neither)."""
    if url.startswith(BASE):
        return url
    host = request.host_url.rstrip("/") + request.script_root
    for prefix in (host, host.replace("http://", "https://", 1)):
        if url.startswith(prefix + "/"):
            return BASE + url[len(prefix) + 1 :]
    return None
