"""The tkg web service: a Flask application factory over a built, read-only store."""

from __future__ import annotations

from flask import Flask

from tkg.budget import Budget, SharedLevels
from tkg.config import Settings
from tkg.executor import Executor, InProcess, Limits
from tkg.namespaces import ID
from tkg.reads import Reader
from tkg.remote import RemoteStore
from tkg.store import EmbeddedStore

from .clients import current_client


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app over the current store: every read goes through one :class:`~tkg.reads.Reader`.

    The store is opened here only for its manifest (version, counts); the queries
    run in killable processes that answer from memory (or from disk, by setting),
    or, with ``TKG_STORE_URL``, in the remote store (:mod:`tkg.remote`).
    """
    settings = settings or Settings()
    settings.check_base()
    app = Flask(__name__)
    app.config["TKG_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    limits = Limits(settings.query_timeout, settings.max_rows, settings.max_result_bytes)
    budget = Budget(
        settings.client_budget,
        settings.client_window,
        settings.client_queries,
        settings.budget_exempt,
        levels=SharedLevels(settings.budget_file) if settings.budget_file else None,
    )
    if settings.store_url:  # a remote store: queries go over HTTP, each request pinned to one version
        remote = RemoteStore(settings)
        app.before_request(remote.begin)
        app.teardown_request(remote.end)
        app.extensions["tkg_store"] = remote
        app.extensions["tkg_reader"] = Reader(InProcess(remote, limits), budget, current_client)
    else:
        store = EmbeddedStore(settings.current_store)
        app.extensions["tkg_store"] = store
        executor = Executor(
            store.directory,  # the resolved store: a later swap of `current` does not mix versions
            warm=settings.query_processes,
            most=settings.max_query_processes,
            limits=limits,
            in_memory=settings.store_in_memory,
            turns=settings.turns_file if settings.query_turns >= 0 else None,  # shared only if asked
        )
        app.extensions["tkg_executor"] = executor
        app.extensions["tkg_reader"] = Reader(executor, budget, current_client)

    if settings.answer_cache_mb > 0:
        from .answer_cache import AnswerCache

        app.extensions["tkg_answer_cache"] = AnswerCache(settings.answer_cache_mb * 1_000_000)

    from . import (
        compression,
        dumps,
        errors,
        hosts,
        linked_data,
        ontology_docs,
        reconcile,
        search,
        security,
        urls,
        void,
    )
    from .editor import bp as editor_bp
    from .home import bp as home_bp
    from .queries import api_bp
    from .queries import bp as queries_bp
    from .sparql import bp as sparql_bp
    from .svg_routes import bp as pictures_bp

    app.jinja_env.globals.update(href=urls.href, urls=urls.urls, instance_space=ID)
    errors.register(app)
    compression.register(app)
    security.register(app)
    hosts.register(app)
    app.register_blueprint(home_bp)
    app.register_blueprint(sparql_bp)
    app.register_blueprint(queries_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(pictures_bp)
    app.register_blueprint(editor_bp)
    for module in (linked_data, search, ontology_docs, void, dumps, reconcile):  # issue 5: dereferencing
        app.register_blueprint(module.bp)
    return app
