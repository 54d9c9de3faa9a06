"""Per-app services for request handlers: the store, the query executor, the settings."""

from __future__ import annotations

from flask import current_app

from tkg.config import Settings
from tkg.executor import Executor
from tkg.reads import Reader
from tkg.store import GraphStore


def store() -> GraphStore:
    """The store's manifest and version; queries go through :func:`reader`."""
    return current_app.extensions["tkg_store"]


def reader() -> Reader:
    """The read path: every query of a request goes through it."""
    return current_app.extensions["tkg_reader"]


def executor() -> Executor:
    return current_app.extensions["tkg_executor"]


def settings() -> Settings:
    return current_app.config["TKG_SETTINGS"]


def answer_cache():
    """The worker's cache of serialised answers, or ``None`` when it is turned off."""
    return current_app.extensions.get("tkg_answer_cache")
