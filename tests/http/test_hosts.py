"""Absolute links never follow a client's ``Host``: TKG_PUBLIC_URL, or only the hosts on TKG_ALLOWED_HOSTS."""

from __future__ import annotations

import dataclasses

from flask.testing import FlaskClient

from server import create_app
from tkg.config import Settings

EVIL = "evil.example"


def test_an_unlisted_host_is_refused_with_a_sentence(client_real: FlaskClient) -> None:
    refused = client_real.get("/void", headers={"Host": EVIL, "Accept": "text/turtle"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "TKG_ALLOWED_HOSTS" in text and "TKG_PUBLIC_URL" in text
    for host in ("127.0.0.1:8000", "localhost", "[::1]:8000", "LOCALHOST:80"):
        assert client_real.get("/void", headers={"Host": host}).status_code == 200, host


def test_listed_hosts_and_their_subdomains(real_build: Settings) -> None:
    client = create_app(dataclasses.replace(real_build, allowed_hosts=(".example.org",))).test_client()
    for host in ("example.org", "kg.example.org:8443"):
        response = client.get("/void", headers={"Host": host, "Accept": "text/turtle"})
        assert response.status_code == 200 and f"http://{host}/sparql" in response.get_data(as_text=True)
    assert client.get("/", headers={"Host": "example.org.evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400  # the default list is replaced


def test_with_a_public_url_every_absolute_link_is_its_own(real_build: Settings) -> None:
    public = "https://kg.example.org/trotskyism"
    client = create_app(dataclasses.replace(real_build, public_url=public)).test_client()
    for path, accept in (("/void", "text/turtle"), ("/sparql", "text/turtle"), ("/api/openapi.json", "*/*")):
        response = client.get(path, headers={"Host": EVIL, "Accept": accept})
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert EVIL not in text and public in text, path
