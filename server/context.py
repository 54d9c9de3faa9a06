"""Access to the per-app store from request handlers."""

from __future__ import annotations

from flask import current_app

from tkg.store import GraphStore


def store() -> GraphStore:
    return current_app.extensions["tkg_store"]
