"""``/editor``: a SPARQL editor (YASGUI) over this endpoint, with the canned queries as examples.

YASGUI is installed from the npm registry by the project's set-up (``make
static``) into ``server/static/vendor/`` and served from here, so the editor
works offline; its network look-ups (prefix.cc, LOV) are switched off or
pointed at this server.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for

from tkg.canned import load_all

from .urls import urls

bp = Blueprint("editor", __name__)

ASSETS = ("vendor/yasgui/yasgui.min.js", "vendor/yasgui/yasgui.min.css")
DEFAULT_QUERY = """PREFIX tkg: <https://w3id.org/trotskyism/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?international ?label WHERE {
  ?international a tkg:International ; rdfs:label ?label .
} ORDER BY ?label"""


def assets_installed() -> bool:
    static = Path(current_app.static_folder or "")
    return all((static / asset).is_file() for asset in ASSETS)


@bp.get("/editor")
def editor() -> Response:
    examples = [{"name": q.name, "summary": q.summary, "query": q.text} for q in load_all().values()]
    installed = assets_installed()
    body = render_template(
        "editor.html",
        examples=examples,
        query=request.args.get("query", "") or DEFAULT_QUERY,
        installed=installed,
        endpoint=urls().for_endpoint("sparql.endpoint", external=True),
        prefixes_url=url_for("api.prefixes"),
    )
    # Without its assets the editor cannot work: say so, and how to install them.
    return Response(body, status=200 if installed else 503, mimetype="text/html")
