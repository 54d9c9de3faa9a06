"""Work a worker does once before its first request, so that no reader pays for it.

``create_app`` stays cheap (tests and scripts build apps freely); ``tkg serve``
calls :func:`warm` in each worker after it builds the app: every template is
compiled (a resource page's first render took ~40 ms of Jinja compilation) and
the per-version models the pages share — lineage, the search index, the
inverse properties — are loaded through the read path.
"""

from __future__ import annotations

from flask import Flask

from tkg.store import QueryError


def warm(app: Flask) -> None:
    """Compile every template and load the per-version models of the dataset being served."""
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")):
        app.jinja_env.get_template(name)
    from . import linked_data, search

    with app.app_context():
        try:
            linked_data.lineage()
            linked_data.inverses()
            search.index()
        except QueryError:  # a remote store that is down: the first requests load them
            pass
