"""The rdflib peer: a plain Flask + rdflib SPARQL endpoint over the same named graphs.

What a Python user would write first: load the store's quads into an rdflib
Dataset whose default graph is the union, answer GET/POST ``query`` with
rdflib's own SPARQL engine and serialisers. Served by granian (WSGI), like tkg.
"""

from __future__ import annotations

import os

import pyoxigraph as ox
from flask import Flask, Response, request
from rdflib import Dataset

JSON = "application/sparql-results+json"


def load(store_dir: str) -> Dataset:
    """The store's quads as an rdflib Dataset (N-Quads through pyoxigraph's writer)."""
    store = ox.Store.read_only(os.path.join(store_dir, "oxigraph"))
    nquads = store.dump(format=ox.RdfFormat.N_QUADS)
    dataset = Dataset(default_union=True)
    dataset.parse(data=nquads, format="nquads")
    return dataset


def create_app(store_dir: str | None = None) -> Flask:
    dataset = load(store_dir or os.environ["BENCH_STORE"])
    app = Flask(__name__)

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        query = request.values.get("query", "")
        result = dataset.query(query)
        if result.type in ("SELECT", "ASK"):
            return Response(result.serialize(format="json"), mimetype=JSON)
        return Response(result.serialize(format="turtle"), mimetype="text/turtle")

    return app
