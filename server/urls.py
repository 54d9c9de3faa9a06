"""Every link the service makes: one builder that knows the base path and the public URL.

The data always speaks canonical IRIs (``https://w3id.org/trotskyism/...``, or the
deployment's ``TKG_BASE_IRI``, whose ``id/`` maps the same way; the ontology stays at w3id.org);
w3id.org redirects them here path for path, so ``{BASE}id/org/x`` is served at
``/id/org/x`` under whatever base path (``SCRIPT_NAME``) the app is mounted
at. Pages link with those paths, never with the canonical host, so that a
reader stays on the server they are using. Absolute links (VoID, the service
description, OpenAPI's server, permalinks) start with ``TKG_PUBLIC_URL`` when
it is set, and with the request's own host otherwise.

>>> urls = Urls(root="/tkg", public="https://example.org/tkg", host="http://127.0.0.1:8000/")
>>> urls.href("https://w3id.org/trotskyism/id/org/crfi")
'/tkg/id/org/crfi'
>>> urls.absolute("/void")
'https://example.org/tkg/void'
>>> urls.href("http://www.w3.org/ns/org#Organization")
'http://www.w3.org/ns/org#Organization'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context, has_request_context, request, url_for

from tkg.namespaces import BASE, CANONICAL, ID, ONTOLOGY_IRI, OURS, TKG


@dataclass(frozen=True)
class Urls:
    """Links for one request: ``root`` is the base path (``""`` or ``/prefix``), ``public`` the public URL."""

    root: str = ""
    public: str | None = None
    host: str = "http://localhost/"

    @property
    def base(self) -> str:
        """The absolute URL of the app's root, without a trailing slash."""
        return (self.public or self.host.rstrip("/") + self.root).rstrip("/")

    def path(self, path: str) -> str:
        """A path of the app (``/void``) as a link from any of its pages (``/prefix/void``)."""
        return self.root + path

    def absolute(self, path: str) -> str:
        """A path of the app as an absolute URL (the public URL's when one is set)."""
        return self.base + path

    def local(self, iri: str) -> str | None:
        """The path of the page that describes ``iri`` (with the base path), or ``None`` if it is not ours."""
        if iri.startswith(ID):
            return self.path("/id/" + iri[len(ID) :])
        if iri.startswith(str(TKG)):
            return self.path("/ontology#" + iri[len(str(TKG)) :])
        if iri == ONTOLOGY_IRI:
            return self.path("/ontology")
        return None

    def href(self, iri: str) -> str:
        """Where a link to ``iri`` goes: our page for our IRIs, the IRI itself for the rest."""
        return self.local(iri) or iri

    def absolute_href(self, iri: str) -> str:
        """Like :meth:`href`, but absolute (for JSON answers read outside the site)."""
        local = self.local(iri)
        return self.base + local[len(self.root) :] if local is not None else iri

    def canonical_iri(self, url: str) -> str | None:
        """The canonical IRI for a canonical IRI or a URL of this server (``None`` if neither)."""
        if url.startswith(OURS):
            return url
        mine = {self.base, self.host.rstrip("/") + self.root}
        for prefix in (*mine, *(m.replace("http://", "https://", 1) for m in mine)):
            if url.startswith(prefix + "/"):
                rest = url[len(prefix) + 1 :]
                return (CANONICAL if rest.startswith("ontology") else BASE) + rest
        return None

    def for_endpoint(self, endpoint: str, external: bool = False, **values: Any) -> str:
        """``url_for`` through the builder: relative under the base path, or absolute under the public URL."""
        path = url_for(endpoint, **values)
        if not external:
            return path
        if path.startswith(self.root):
            path = path[len(self.root) :]
        return self.absolute(path)

    def here(self) -> str:
        """The absolute URL of the current request, without its query string."""
        return self.absolute(request.path)


def urls() -> Urls:
    """The builder for the current request (a root-relative one outside a request)."""
    public = current_app.config["TKG_SETTINGS"].public_url if has_app_context() else None
    if not has_request_context():
        return Urls(public=public)
    return Urls(request.script_root, public, request.host_url)


def href(iri: str) -> str:
    """Where a link to ``iri`` should go, for templates: ``{{ href(iri) }}``."""
    return urls().href(iri)
