"""How every view marks an answer cacheable: once, so that browsers, proxies and the edge cache agree.

The store is read-only and versioned, so an answer only changes with a build:
``public`` with ``max-age`` (``TKG_CACHE_MAX_AGE``) and, where the view has one,
an ETag derived from the dataset version. The bridge's response cache
(:mod:`server.edge_cache`) stores exactly the answers marked here.
"""

from __future__ import annotations

from typing import TypeVar

from werkzeug.wrappers import Response

from .context import settings

R = TypeVar("R", bound=Response)


def public(response: R, etag: str | None = None) -> R:
    """``response`` marked cacheable by anyone until ``max-age``, with ``etag`` if given."""
    if etag is not None:
        response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={settings().cache_max_age}"
    return response
