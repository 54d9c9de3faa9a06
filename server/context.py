"""Per-app services for request handlers: the store's manifest, the read path, the settings, the cache."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

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


P = ParamSpec("P")
R = TypeVar("R")


def metered(view: Callable[P, R]) -> Callable[P, R]:
    """A view whose own work (an index search, a reconciliation batch) is charged to the client's
    budget like a query's: without it, search and reconciliation would be free for a greedy client."""

    @wraps(view)
    def charged(*args: P.args, **kwargs: P.kwargs) -> R:
        with reader().metered():
            return view(*args, **kwargs)

    return charged


def settings() -> Settings:
    return current_app.config["TKG_SETTINGS"]


def answer_cache() -> AnswerCache | None:
    """The worker's cache of serialised answers, or ``None`` when it is turned off."""
    return current_app.extensions.get("tkg_answer_cache")
