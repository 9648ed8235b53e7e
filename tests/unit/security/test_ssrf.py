"""SSRF rules: which addresses are public, and the transport and backend that enforce them."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import httpx
import pytest
from netfixtures import LoopbackServer, fake_resolver

from fedihub.errors import RemoteForbidden, RemoteUnavailable
from fedihub.security import http, ssrf


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ],
)
def test_public_addresses_are_public(address: str) -> None:
    assert ssrf.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",  # loopback, private
        "169.254.169.254",  # link-local: cloud metadata
        "100.64.0.1",
        "100.127.255.254",  # CGNAT
        "0.0.0.0",
        "0.1.2.3",
        "255.255.255.255",
        "240.0.0.1",  # unspecified, this-network, reserved
        "224.0.0.1",
        "239.255.255.250",  # multicast
        "192.0.0.8",
        "192.0.2.1",
        "198.18.0.1",
        "198.51.100.1",
        "203.0.113.1",  # special, docs
        "::",
        "::1",
        "::127.0.0.1",  # unspecified, loopback, IPv4-compatible
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",  # IPv4-mapped
        "fc00::1",
        "fd00:abcd::1",  # unique local
        "fe80::1",
        "fec0::1",  # link-local, site-local
        "ff02::1",  # multicast
        "64:ff9b::7f00:1",
        "64:ff9b::a00:1",
        "64:ff9b:1::1",  # NAT64 of private, local NAT64
        "2002:7f00:1::1",
        "2002:a00:1::1",  # 6to4 of private
        "2001:db8::1",  # documentation
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not ssrf.is_public_address(ipaddress.ip_address(address))


async def test_a_host_with_any_private_address_is_refused() -> None:
    resolve = fake_resolver(
        {"mixed.example": ["93.184.216.34", "10.0.0.5"], "ok.example": ["8.8.8.8"]}
    )
    with pytest.raises(RemoteForbidden, match="10.0.0.5"):
        await ssrf.check_host("mixed.example", 443, resolve)
    assert await ssrf.check_host("ok.example", 443, resolve) == [ipaddress.ip_address("8.8.8.8")]


async def test_ip_literals_and_local_names_are_judged_without_resolving() -> None:
    async def no_dns(host: str, port: int) -> list[ssrf.IPAddress]:
        raise AssertionError("must not resolve")

    for host in ("127.0.0.1", "[::1]", "localhost", "api.localhost"):
        with pytest.raises(RemoteForbidden):
            await ssrf.check_host(host, 80, no_dns)


async def test_system_resolver_finds_loopback_for_localhost() -> None:
    addresses = await ssrf.system_resolver("localhost", 80)
    assert addresses and all(a.is_loopback for a in addresses)


def _client(
    handler: Callable[[httpx.Request], httpx.Response],
    allow_private: bool,
    table: dict[str, list[str]],
) -> httpx.AsyncClient:
    guarded = ssrf.GuardedTransport(
        httpx.MockTransport(handler), allow_private, resolver=fake_resolver(table)
    )
    return httpx.AsyncClient(transport=guarded, follow_redirects=True)


async def test_private_hosts_are_refused_unless_allowed() -> None:
    table = {"intranet.example": ["192.168.0.10"]}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="secret")

    async with _client(handler, False, table) as client:
        with pytest.raises(RemoteForbidden):
            await client.get("https://intranet.example/admin")
    async with _client(handler, True, table) as client:
        assert (await client.get("https://intranet.example/admin")).text == "secret"


@pytest.mark.parametrize(
    "url", ["ftp://files.example/x", "file:///etc/passwd", "gopher://g.example/"]
)
async def test_non_http_schemes_are_refused(url: str) -> None:
    transport = ssrf.GuardedTransport(httpx.MockTransport(lambda r: httpx.Response(200)), True)
    with pytest.raises(RemoteForbidden, match="scheme"):
        await transport.handle_async_request(httpx.Request("GET", url))


async def test_redirect_from_a_public_host_to_loopback_is_refused() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://127.0.0.1:8080/admin"})

    async with _client(handler, False, {"public.example": ["93.184.216.34"]}) as client:
        with pytest.raises(RemoteForbidden, match="127.0.0.1"):
            await client.get("https://public.example/actor")
    assert seen == ["https://public.example/actor"]  # the loopback hop never left the guard


async def test_dns_rebinding_between_check_and_connect_is_refused(loopback: LoopbackServer) -> None:
    # The first answer (the transport's check) is public, the next (at connect) is loopback. The
    # backend connects only to addresses from its own check, so nothing reaches the server.
    answers = iter([["93.184.216.34"]])

    async def rebinding(host: str, port: int) -> list[ssrf.IPAddress]:
        return [ipaddress.ip_address(a) for a in next(answers, ["127.0.0.1"])]

    inner = http.network_transport(allow_private=False, max_connections=4, resolver=rebinding)
    async with httpx.AsyncClient(
        transport=ssrf.GuardedTransport(inner, False, resolver=rebinding)
    ) as client:
        with pytest.raises(RemoteForbidden, match="127.0.0.1"):
            await client.get(f"http://rebind.example:{loopback.port}/actor")
    assert loopback.requests == []


async def test_guarded_backend_connects_to_the_address_it_checked(loopback: LoopbackServer) -> None:
    # With a public-looking name mapped to loopback *and* private allowed at the transport, the
    # backend alone still refuses: it is the last line.
    inner = http.network_transport(
        allow_private=False, max_connections=4, resolver=fake_resolver({"x.example": ["127.0.0.1"]})
    )
    async with httpx.AsyncClient(transport=inner) as client:
        with pytest.raises(RemoteForbidden):
            await client.get(f"http://x.example:{loopback.port}/actor")
    assert loopback.requests == []


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1"])
async def test_odd_spellings_of_loopback_are_refused(host: str) -> None:
    # getaddrinfo reads these inet_aton forms itself (no DNS query) and they all mean 127.0.0.1.
    with pytest.raises(RemoteForbidden, match="127.0.0.1"):
        await ssrf.check_host(host, 80)


async def test_a_name_that_does_not_resolve_fails_like_any_connect_error() -> None:
    async def nxdomain(host: str, port: int) -> list[ssrf.IPAddress]:
        raise RemoteUnavailable(f"cannot resolve {host}")

    mock = httpx.MockTransport(lambda r: httpx.Response(200))
    guarded = ssrf.GuardedTransport(mock, False, resolver=nxdomain)
    async with httpx.AsyncClient(transport=guarded) as client:
        with pytest.raises(httpx.ConnectError, match="cannot resolve gone.example"):
            await client.get("https://gone.example/inbox")
    inner = http.network_transport(allow_private=False, max_connections=2, resolver=nxdomain)
    async with httpx.AsyncClient(transport=inner) as client:
        with pytest.raises(httpx.ConnectError, match="cannot resolve gone.example"):
            await client.get("https://gone.example/inbox")
