"""The README's example queries give the output it shows, against a live server."""

from __future__ import annotations

import re

import pytest
import requests

from tkg.config import ROOT

EXAMPLE = re.compile(
    r"```console\n\$ curl -s http://127\.0\.0\.1:8000/sparql -H '(?P<header>[^']+)' "
    r"--data-urlencode 'query=(?P<query>.*?)'\n(?P<output>.*?)```",
    re.DOTALL,
)


def examples() -> list[tuple[str, str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m["header"], m["query"], m["output"]) for m in EXAMPLE.finditer(text)]


def test_the_readme_has_three_examples() -> None:
    assert len(examples()) == 3


@pytest.mark.parametrize(("header", "query", "output"), examples())
def test_readme_example_output_is_real(live_server: str, header: str, query: str, output: str) -> None:
    name, value = (part.strip() for part in header.split(":", 1))
    url = live_server + "/sparql"
    response = requests.post(url, data={"query": query}, headers={name: value}, timeout=30)
    assert response.status_code == 200
    body = response.text.replace("\r\n", "\n")
    assert body.strip() == output.strip()
