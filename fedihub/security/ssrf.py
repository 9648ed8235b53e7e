"""Server-side request forgery rules: which addresses a fetch or delivery may reach.

A peer names URLs we then fetch (actors, keys, objects, inboxes), so every outbound request is
checked: the scheme must be http(s), and every address the host resolves to must be public. The
check happens twice (after GtS internal/httpclient): `GuardedTransport` refuses early with a clear
error before a request is sent and on every redirect hop, and `GuardedBackend` checks again at
connect time and connects to exactly the address it checked, so a DNS answer that changes between
the two (rebinding) cannot reach a private address. TLS still verifies the host name (httpcore
keeps the name for SNI and the certificate check; only the TCP connect uses the IP).

Imports nothing of fedihub but `errors`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from fedihub.errors import RemoteForbidden, RemoteUnavailable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

# is_global misses some of these on older Pythons, and a few are not "private" but still not a
# place a federation peer lives; listed so the rule does not depend on the interpreter.
_V4_BLOCKED = [
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]
_V6_BLOCKED = [
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible block
        "100::/64",
        "2001:db8::/32",
        "2001:10::/28",
        "2001:20::/28",
        "64:ff9b:1::/48",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
]
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(ip: IPAddress) -> bool:
    """True when ip is globally routable unicast (IPv4 embedded in IPv6 is judged as IPv4)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_v4(ip)
        if embedded is not None:
            return is_public_address(embedded)
        if any(ip in net for net in _V6_BLOCKED):
            return False
    elif any(ip in net for net in _V4_BLOCKED):
        return False
    return ip.is_global and not ip.is_multicast


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        server, client = ip.teredo
        # Both ends must be public for a Teredo address to be a real peer.
        return client if is_public_address(server) else server
    return None


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for host (getaddrinfo, off the event loop)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RemoteUnavailable(f"cannot resolve {host}") from None
    # Drop a scope id ("fe80::1%eth0") before parsing; the address is refused anyway.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def check_host(host: str, port: int, resolver: Resolver = system_resolver) -> list[IPAddress]:
    """The host's addresses, all public; raises RemoteForbidden if any is not."""
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        if host.lower().rstrip(".") in ("localhost",) or host.lower().endswith(".localhost"):
            raise RemoteForbidden(f"{host} is a local name") from None
        addresses = await resolver(host, port)
    if not addresses:
        raise RemoteUnavailable(f"{host} has no address")
    refused = [a for a in addresses if not is_public_address(a)]
    if refused:
        raise RemoteForbidden(f"{host} resolves to a non-public address ({refused[0]})")
    return addresses


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


class GuardedTransport(httpx.AsyncBaseTransport):
    """Refuses (RemoteForbidden) non-http(s) URLs and, unless allow_private, hosts with any
    non-public address; a name that does not resolve raises httpx.ConnectError.

    Redirects are followed by the client one hop at a time, so each hop passes through here.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        allow_private: bool,
        *,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.inner = inner
        self.allow_private = allow_private
        self.resolver = resolver

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            raise RemoteForbidden(f"scheme {request.url.scheme!r} is not allowed")
        if not self.allow_private:
            try:
                await check_host(request.url.host, _port(request.url), self.resolver)
            except RemoteUnavailable as exc:
                # A name that does not resolve fails as httpx itself would fail it.
                raise httpx.ConnectError(exc.public, request=request) from None
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that resolves, checks, and connects to the address it checked."""

    def __init__(
        self,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await check_host(host, port, self.resolver)
        except RemoteUnavailable as exc:
            raise httpcore.ConnectError(exc.public) from None
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise RemoteForbidden("unix sockets are not reachable from federation")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
