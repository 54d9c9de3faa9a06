"""The tkg web service: a Flask application factory over a built, read-only store."""

from __future__ import annotations

from flask import Flask

from tkg.config import Settings
from tkg.store import EmbeddedStore, GraphStore


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> Flask:
    """Build the app; opens the current store read-only unless one is given."""
    settings = settings or Settings()
    app = Flask(__name__)
    app.config["TKG_SETTINGS"] = settings
    app.extensions["tkg_store"] = store or EmbeddedStore(settings.current_store)

    from .home import bp as home_bp
    from .sparql import bp as sparql_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(sparql_bp)
    return app
