"""SERVICE by address: a host on the allow-list is still refused if it resolves into a private network.

The allow-list (``TKG_SERVICE_HOSTS``) names hosts; a name can be pointed at
``127.0.0.1``, ``169.254.169.254`` or ``10.0.0.1`` by whoever controls its DNS,
and the endpoint would then call into the network it runs in. So each listed
host is resolved when the query arrives, and refused if any address it resolves
to is not a global one (loopback, link-local, private, reserved, multicast,
unspecified), unless the operator lists it in ``TKG_SERVICE_PRIVATE_HOSTS``.

The query process resolves the name again when it calls: a name whose DNS
answer changes between the two (rebinding with a zero TTL) is not caught here.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from .sparql_text import service_targets

Resolver = Callable[[str], list[str]]


def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (an address resolves to itself); empty if it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def why_not_global(address: str) -> str | None:
    """What kind of non-global address ``address`` is (None: a global one, safe to call).

    >>> why_not_global("127.0.0.1"), why_not_global("169.254.169.254"), why_not_global("10.1.2.3")
    ('loopback', 'link-local', 'private')
    >>> why_not_global("::ffff:127.0.0.1"), why_not_global("93.184.215.14") is None
    ('loopback', True)
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "multicast", "unspecified", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "not global"


def refused_addresses(
    query: str,
    private_hosts: Iterable[str],
    resolver: Resolver = resolve,
    targets: list[str | None] | None = None,
) -> list[str]:
    """Why each SERVICE endpoint of ``query`` may not be called by address (empty: all may);
    ``targets``: its :func:`~tkg.sparql_text.service_targets`, if already read.

    Call it after the allow-list check, which refuses variables and unlisted names.

    >>> fake = {"kg.example.org": ["93.184.215.14"], "evil.example": ["127.0.0.1"]}.get
    >>> refused_addresses("SELECT * { SERVICE <http://evil.example/sparql> {} }", (), lambda h: fake(h, []))
    ['<http://evil.example/sparql> resolves to 127.0.0.1 (loopback)']
    >>> refused_addresses("SELECT * { SERVICE <http://kg.example.org/q> {} }", (), lambda h: fake(h, []))
    []
    """
    private = {h.lower() for h in private_hosts}
    refused = []
    if targets is None:
        targets = service_targets(query)
    for target in dict.fromkeys(targets):  # each host resolved once per query
        host = urlsplit(target).hostname if target else None
        if host is None or host.lower() in private:
            continue
        addresses = resolver(host)
        if not addresses:
            refused.append(f"<{target}> does not resolve")
            continue
        for address in addresses:
            kind = why_not_global(address)
            if kind is not None:
                refused.append(f"<{target}> resolves to {address} ({kind})")
                break
    return refused
