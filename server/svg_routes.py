"""``/svg/...``: the pictures as SVG documents, drawn from the graph on request.

``/svg/family-tree/org/<slug>`` (ancestors and descendants of an organisation),
``/svg/timeline?from=YEAR&to=YEAR`` and ``/svg/positions`` (positions on the
USSR over time). Answers carry an ETag from the dataset version: they only
change with a build.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, request

from tkg.describe import resource_iri

from .context import store
from .errors import not_found, plain
from .http import public
from .pictures import data

bp = Blueprint("pictures", __name__)

SVG = "image/svg+xml"
YEARS = (1000, 2999)


def _svg(key: str, draw) -> Response:
    etag = hashlib.sha256(f"{store().version}|{key}".encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        # a failing query raises a QueryError, answered with its status by errors.query_error
        response = Response(draw(), mimetype=SVG)
        response.headers["Content-Type"] = f"{SVG}; charset=utf-8"
    return public(response, etag)


@bp.get("/svg/family-tree/org/<slug>")
def family_tree(slug: str) -> Response:
    iri = resource_iri("org", slug)  # a slug that cannot be one of ours never reaches the graph
    if iri is None or not data.label_of(iri)[1]:
        return not_found(
            f"There is no organisation {iri or data.org_iri(slug)} in the graph.", slug.replace("-", " ")
        )
    return _svg(f"family-tree|{iri}", lambda: data.family_tree_svg(iri))


def year_arg(name: str, default: int) -> int:
    value = request.args.get(name, "").strip() or str(default)
    if not value.lstrip("-").isdigit() or not YEARS[0] <= int(value) <= YEARS[1]:
        raise ValueError(f"{name} must be a year between {YEARS[0]} and {YEARS[1]}, not {value!r}")
    return int(value)


@bp.get("/svg/timeline")
def timeline() -> Response:
    try:
        first, last = year_arg("from", 1917), year_arg("to", 2030)
    except ValueError as error:
        return plain(400, str(error))
    if first > last:
        return plain(400, f"from ({first}) must not be after to ({last})")
    return _svg(f"timeline|{first}|{last}", lambda: data.timeline_svg(first, last))


@bp.get("/svg/positions")
def positions() -> Response:
    return _svg("positions", data.positions_svg)
