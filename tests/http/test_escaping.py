"""Every label and literal is escaped: a hostile label in the data cannot run in a reader's browser."""

from __future__ import annotations

import shutil
from pathlib import Path

from server import create_app
from tests.conftest import FIXTURES, make_settings
from tkg.build import build

HOSTILE = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def test_a_label_with_script_is_shown_as_text(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    path = data / "fixture.ttl"
    literal = '"' + HOSTILE.replace('"', '\\"') + '"@en'
    path.write_text(path.read_text().replace('rdfs:label "Beta Group"@en', f"rdfs:label {literal}"))
    settings = make_settings(tmp_path / "build", data, FIXTURES / "seeds")
    build(settings, report=lambda _line: None)
    client = create_app(settings).test_client()
    pages = [
        "/id/org/beta-group.html",
        "/id/org/alpha-league.html",
        "/id/event/1960-split-of-the-alpha-league.html",
        "/search?q=script",
        "/queries/descendants?org=o:alpha-league",
        "/svg/family-tree/org/alpha-league",
    ]
    for page in pages:
        response = client.get(page, follow_redirects=True)
        assert response.status_code == 200, page
        body = response.get_data(as_text=True)
        assert "<script>alert" not in body, page
        assert "<img src=x" not in body, page
        assert "&lt;script&gt;" in body or "\\u003cscript" in body, page
