"""Who the client is, for its budget of query time: its address, or the one a trusted proxy forwarded.

``X-Forwarded-For`` is a list any client can start, so it is read only when the
connection comes from a proxy on ``TKG_TRUSTED_PROXIES`` (addresses or
networks), and then from the right: each trusted proxy appended the address it
was reached from, and the first address not on the list is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cache

from flask import current_app, has_request_context, request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """The trusted proxies as networks (a lone address is a network of one)."""
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _trusted(address: str, trusted: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded: list[str], proxies: tuple[str, ...]) -> str | None:
    """The client of a request that came from ``peer`` with ``X-Forwarded-For`` fields ``forwarded``.

    >>> client_address("10.0.0.5", ["203.0.113.9, 10.0.0.4"], ("10.0.0.0/8",))
    '203.0.113.9'
    >>> client_address("203.0.113.9", ["1.2.3.4"], ("10.0.0.0/8",))  # not from a trusted proxy: ignored
    '203.0.113.9'
    >>> client_address("10.0.0.5", ["6.6.6.6, 198.51.100.2"], ("10.0.0.5",))  # the left part is the client's
    '198.51.100.2'
    """
    trusted = networks(proxies)
    if peer is None or not trusted or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for field in forwarded for hop in field.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def current_client() -> str | None:
    """The client of the request being answered (None outside a request: the CLI, the warm-up)."""
    if not has_request_context():
        return None
    proxies = current_app.config["TKG_SETTINGS"].trusted_proxies
    return client_address(request.remote_addr, request.headers.getlist("X-Forwarded-For"), proxies)
