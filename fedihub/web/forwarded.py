"""The client's address behind reverse proxies: X-Forwarded-For, believed only from trusted ones.

Behind nginx, HAProxy or a load balancer every request arrives from the proxy's address, so rate
limits, sign-in throttling and logs would count every client as one. The header is believed hop
by hop from the right, as Rails and Mastodon do: each address added by a trusted proxy is skipped
and the first untrusted one is the client. A client that sends its own X-Forwarded-For only adds
entries to the left of what the proxies append, so it cannot choose the address it is counted as.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from fedihub.web.application import ASGIApp

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# more hops than any real chain of proxies: a longer header is trimmed, never walked in full
_MAX_HOPS = 16


def client_address(peer: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The address to count a request against, given the connection's peer and the header."""
    if not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")][-_MAX_HOPS:]
    address = peer
    for hop in reversed(hops):
        if not _is_address(hop):
            break  # a garbled entry: nothing to its left can be believed
        address = hop
        if not _is_trusted(hop, trusted):
            break
    return address


class ForwardedFor:
    """ASGI middleware that rewrites scope["client"] for requests that came through a trusted
    proxy."""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and self.trusted:
            header = b",".join(v for k, v in scope.get("headers", ()) if k == b"x-forwarded-for")
            if header:
                address = client_address(client[0], header.decode("latin-1"), self.trusted)
                if address != client[0]:
                    scope = dict(scope)
                    scope["client"] = (address, 0)
        await self.app(scope, receive, send)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
