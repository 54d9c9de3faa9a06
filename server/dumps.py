"""``/dumps/``: the full downloads the build wrote beside the store, with their checksums."""

from __future__ import annotations

import base64
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request, send_file

from tkg.dumps import CHECKSUMS, DUMPS, INDEX, read_index

from .context import store
from .errors import not_found, plain
from .http import public
from .negotiation import page_or_json
from .urls import urls

bp = Blueprint("dumps", __name__)


def directory() -> Path:
    """The store directory the dumps sit in (a remote store has none: no dumps listed)."""
    return getattr(store(), "directory", None) or Path("/nonexistent")


@bp.get("/dumps/")
def index() -> Response | str:
    dumps = read_index(directory())
    media = page_or_json(request.accept_mimetypes, request.args.get("format"))
    if media == "application/json":
        response = jsonify(
            version=store().version,
            dumps=[{**d.__dict__, "url": urls().absolute(f"/dumps/{d.name}")} for d in dumps],
        )
    elif media == "text/html":
        response = Response(
            render_template("dumps.html", dumps=dumps, manifest=store().manifest), mimetype="text/html"
        )
    else:
        return plain(406, "406 Not Acceptable: the list of dumps is text/html or application/json.")
    response.vary.add("Accept")
    return response


@bp.get("/dumps/<name>")
def download(name: str) -> Response:
    files = {d.name: d for d in read_index(directory())}
    if name not in files and (name not in (CHECKSUMS, INDEX) or not (directory() / DUMPS / name).is_file()):
        return not_found(
            f"There is no dump called {name}; the dumps are listed at {urls().path('/dumps/')}.", name
        )
    path = directory() / DUMPS / name
    if name in files:
        response = send_file(
            path, mimetype="application/gzip", as_attachment=True, download_name=name, etag=files[name].sha256
        )
        response.headers["Digest"] = "sha-256=" + _b64(files[name].sha256)
    else:
        response = send_file(path, mimetype="application/json" if name == INDEX else "text/plain", etag=True)
    public(response)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()
