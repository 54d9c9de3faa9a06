"""Which ``Host`` headers the service answers: absolute links must not follow a client's ``Host``.

With ``TKG_PUBLIC_URL`` set, every absolute link starts with it (:mod:`server.urls`)
and the ``Host`` header changes nothing. Without it, links are made from the
request's host, so only the hosts of ``TKG_ALLOWED_HOSTS`` are answered (by
default the machine itself); any other gets 400 with a sentence saying what
to set.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, request

from .errors import plain


def host_name(host: str) -> str:
    """The name in a ``Host`` header, without its port, lower case (IPv6 addresses keep their brackets).

    >>> host_name("Example.org:8000"), host_name("[::1]:8000"), host_name("127.0.0.1")
    ('example.org', '[::1]', '127.0.0.1')
    """
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rpartition(":")[0] if ":" in host else host


@lru_cache(maxsize=256)
def allowed(host: str, names: tuple[str, ...]) -> bool:
    """Whether ``host`` names one of ``names`` (``.example.org``: it and every subdomain).

    >>> allowed("kg.example.org:443", (".example.org",)), allowed("evil.org", ("127.0.0.1", "::1"))
    (True, False)
    >>> allowed("[::1]:8000", ("::1",))
    True
    """
    name = host_name(host)
    for entry in names:
        entry = entry.strip().lower()
        if ":" in entry and not entry.startswith("["):  # a bare IPv6 address
            entry = f"[{entry}]"
        if name == entry or (entry.startswith(".") and (name.endswith(entry) or name == entry[1:])):
            return True
    return False


def register(app: Flask) -> None:
    settings = app.config["TKG_SETTINGS"]
    if settings.public_url is not None:
        return

    @app.before_request
    def check_host() -> Response | None:
        host = request.headers.get("Host", "")
        if allowed(host, settings.allowed_hosts):
            return None
        return plain(
            400,
            f"This server does not answer for the host {host!r}: its links are made from the host, so it "
            "answers only the hosts of TKG_ALLOWED_HOSTS (or set TKG_PUBLIC_URL).",
        )
