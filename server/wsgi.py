"""Run the app under gunicorn, the production WSGI server, from ``tkg serve``."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from tkg.config import Settings
from tkg.storage import open_store_dir


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # gunicorn's WSGI callable
        from . import create_app

        return create_app(self.settings)


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 2, threads: int = 16
) -> None:
    """Serve the current store; each worker opens it read-only after the fork."""
    _store, manifest, directory = open_store_dir(settings.current_store)  # fail fast, clearly
    del _store
    print(f"serving dataset {manifest.version} from {directory} on http://{host}:{port}/", flush=True)
    _Gunicorn(
        settings,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 60,
            "accesslog": "-",
            "preload_app": False,
        },
    ).run()
