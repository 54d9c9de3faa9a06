"""Per-app services for request handlers: the store's manifest, the read path, the settings, the cache."""

from __future__ import annotations

from flask import current_app

from tkg.config import Settings
from tkg.reads import Reader
from tkg.store import GraphStore

from .answer_cache import AnswerCache


def store() -> GraphStore:
    """The store's manifest and version; queries go through :func:`reader`."""
    return current_app.extensions["tkg_store"]


def reader() -> Reader:
    """The read path: every query of a request goes through it."""
    return current_app.extensions["tkg_reader"]


def settings() -> Settings:
    return current_app.config["TKG_SETTINGS"]


def answer_cache() -> AnswerCache | None:
    """The worker's cache of serialised answers, or ``None`` when it is turned off."""
    return current_app.extensions.get("tkg_answer_cache")
