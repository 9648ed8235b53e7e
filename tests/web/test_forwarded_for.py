"""Behind a reverse proxy, rate limits and throttling count the client, not the proxy; a client
that writes its own X-Forwarded-For cannot choose the address it is counted as."""

from __future__ import annotations

from typing import Any

import pytest

from fedihub.config import load, proxy_networks
from fedihub.errors import ConfigError
from fedihub.web.forwarded import ForwardedFor, client_address

LOOPBACK = proxy_networks("127.0.0.0/8,::1/128")
LAN_PROXIES = proxy_networks("10.0.0.0/8, 127.0.0.1")


def test_a_trusted_proxy_names_the_client() -> None:
    assert client_address("127.0.0.1", "203.0.113.7", LOOPBACK) == "203.0.113.7"
    assert client_address("::1", "2001:db8::5", LOOPBACK) == "2001:db8::5"


def test_the_header_is_ignored_from_anyone_else() -> None:
    assert client_address("198.51.100.2", "203.0.113.7", LOOPBACK) == "198.51.100.2"


def test_entries_a_client_wrote_itself_are_not_believed() -> None:
    # the client sent "X-Forwarded-For: 192.0.2.1"; nginx appended its real address
    assert client_address("127.0.0.1", "192.0.2.1, 203.0.113.7", LOOPBACK) == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop() -> None:
    # client -> load balancer (10.0.0.5) -> nginx on the node (peer 127.0.0.1)
    assert (
        client_address("127.0.0.1", "192.0.2.1, 203.0.113.7, 10.0.0.5", LAN_PROXIES)
        == "203.0.113.7"
    )


def test_a_garbled_entry_stops_the_walk() -> None:
    assert client_address("127.0.0.1", "203.0.113.7, not-an-address", LOOPBACK) == "127.0.0.1"
    assert client_address("127.0.0.1", "", LOOPBACK) == "127.0.0.1"


def test_a_header_of_trusted_hops_only_counts_the_leftmost() -> None:
    assert client_address("127.0.0.1", "10.1.1.1, 10.2.2.2", LAN_PROXIES) == "10.1.1.1"


async def test_the_middleware_rewrites_the_asgi_client_for_http_and_websocket() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope.get("client"))

    middleware = ForwardedFor(app, LOOPBACK)
    for kind in ("http", "websocket"):
        await middleware(
            {
                "type": kind,
                "client": ("127.0.0.1", 5000),
                "headers": [(b"x-forwarded-for", b"203.0.113.7")],
            },
            None,
            None,
        )
    await middleware(
        {
            "type": "http",
            "client": ("198.51.100.2", 5000),
            "headers": [(b"x-forwarded-for", b"203.0.113.7")],
        },
        None,
        None,
    )
    await middleware({"type": "lifespan"}, None, None)
    assert seen == [("203.0.113.7", 0), ("203.0.113.7", 0), ("198.51.100.2", 5000), None]


def test_a_malformed_trusted_proxies_setting_stops_the_start(tmp_path: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        load({"FEDIHUB_DATA_DIR": str(tmp_path), "FEDIHUB_TRUSTED_PROXIES": "10.0.0.0/8, nginx"})
    assert "'nginx' is not an IP address" in str(caught.value)
