"""The process's outbound HTTP client: pooled, SSRF-guarded, bounded per host, size-limited reads.

`build_client` is called once per process (app lifespan or worker start) and the client is kept
on the Runtime. Layers, outermost first:

    httpx.AsyncClient        timeouts, User-Agent, redirects (max 5, each hop re-enters below;
                             `fetch` follows them itself, hop by hop, to sign each hop afresh
                             and to refuse other origins when asked)
    _HostLimitTransport      at most max_per_host requests in flight to one host
    ssrf.GuardedTransport    http(s) only; every resolved address public (unless allow_private)
    pools.PoolPerOrigin      one pool per origin, max_connections requests in flight in all
    httpx.AsyncHTTPTransport an origin's pool; ssrf.GuardedBackend checks again at connect time
                             and connects to the address it checked

Imports nothing of fedihub but `errors`, `activitypub.parse` (what JSON from a peer may hold),
`security.ssrf` and `security.pools`.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from fedihub.activitypub import parse
from fedihub.errors import (
    PayloadTooLarge,
    RemoteError,
    RemoteGone,
    RemoteNotFound,
    RemoteUnavailable,
)
from fedihub.security import pools, ssrf

AP_ACCEPT = (
    "application/activity+json, "
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
)
MAX_REDIRECTS = 5
MAX_JSON_DEPTH = 32


def ssl_context() -> ssl.SSLContext:
    """certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR when set (httpx's trust_env rule)."""
    return httpx.create_ssl_context(verify=True, trust_env=True)


class _Slot:
    def __init__(self, size: int) -> None:
        self.semaphore = asyncio.Semaphore(size)
        self.users = 0


class _HostLimitTransport(httpx.AsyncBaseTransport):
    """At most `per_host` requests in flight to one host; slots are dropped when idle."""

    def __init__(self, inner: httpx.AsyncBaseTransport, per_host: int) -> None:
        self.inner = inner
        self.per_host = per_host
        self._slots: dict[str, _Slot] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = _Slot(self.per_host)
        slot.users += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                slot.semaphore.release()
                slot.users -= 1
                if slot.users == 0 and self._slots.get(host) is slot:
                    del self._slots[host]

        try:
            await slot.semaphore.acquire()
        except BaseException:
            slot.users -= 1
            if slot.users == 0 and self._slots.get(host) is slot:
                del self._slots[host]
            raise
        # the host's slot is held until the body is read or the response closed
        return await pools.send_then_release(self.inner, request, release)

    async def aclose(self) -> None:
        await self.inner.aclose()


def network_transport(
    *,
    allow_private: bool,
    max_connections: int,
    resolver: ssrf.Resolver = ssrf.system_resolver,
    context: ssl.SSLContext | None = None,
) -> httpx.AsyncHTTPTransport:
    """httpx's pooled transport; when private addresses are refused, its sockets are opened by
    ssrf.GuardedBackend. httpx 0.28 takes no network backend argument, so the pool is rebuilt
    with the same settings (tests/unit/security/test_http.py fails if httpx changes this)."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    context = context or ssl_context()
    transport = httpx.AsyncHTTPTransport(verify=context, limits=limits, trust_env=True)
    if not allow_private:
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=ssrf.GuardedBackend(resolver),
        )
    return transport


def build_client(
    *,
    allow_private: bool,
    max_connections: int,
    max_per_host: int,
    timeout: float,
    user_agent: str,
    inner: httpx.AsyncBaseTransport | None = None,
    resolver: ssrf.Resolver = ssrf.system_resolver,
) -> httpx.AsyncClient:
    """The one outbound client of a process. `inner` replaces the network transport (tests)."""
    if inner is None:
        context = ssl_context()  # loading the CA roots costs milliseconds: once, for all pools

        def origin_pool() -> httpx.AsyncBaseTransport:
            return network_transport(
                allow_private=allow_private,
                max_connections=max_per_host,
                resolver=resolver,
                context=context,
            )

        inner = pools.PoolPerOrigin(
            origin_pool, max_connections=max_connections, keep=max_connections
        )
    guarded = ssrf.GuardedTransport(inner, allow_private, resolver=resolver)
    return httpx.AsyncClient(
        transport=_HostLimitTransport(guarded, max_per_host),
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": user_agent},
        # No proxy variables or .netrc: a proxy would connect on our behalf, past the guard. The
        # CA bundle still follows SSL_CERT_FILE / SSL_CERT_DIR through ssl_context().
        trust_env=False,
    )


async def read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    """The (decoded) body, read as a stream; PayloadTooLarge as soon as it passes max_bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        await response.aclose()
        raise PayloadTooLarge(f"response of {declared} bytes exceeds {max_bytes}")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            await response.aclose()
            raise PayloadTooLarge(f"response exceeds {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


@dataclass(frozen=True)
class Fetched:
    """A JSON document and the URL it was finally read from (after redirects)."""

    url: str
    document: dict[str, Any]


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port as None: same tuple, same origin."""
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, None if url.port in (None, default) else url.port


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    auth: httpx.Auth | None = None,
    max_bytes: int = 1_000_000,
    accept: str = AP_ACCEPT,
    same_origin: bool = False,
) -> Fetched:
    """GET url as a JSON object, following at most MAX_REDIRECTS redirects one hop at a time (each
    hop signed afresh by `auth` for its own URL, and checked by the SSRF guard); with
    `same_origin`, a redirect to another origin is refused (RemoteError) before it is followed.
    Peer failures become the RemoteError family."""
    final, body = await _fetch_body(
        client, url, auth=auth, max_bytes=max_bytes, accept=accept, same_origin=same_origin
    )
    return Fetched(final, _json_object(final, body))


async def fetch_json_array(
    client: httpx.AsyncClient, url: str, *, max_bytes: int = 1_000_000
) -> list[Any]:
    """GET url as a JSON array (an API's list), under the same guards as `fetch`."""
    final, body = await _fetch_body(
        client, url, auth=None, max_bytes=max_bytes, accept="application/json", same_origin=True
    )
    document = _json_value(final, body)
    if not isinstance(document, list):
        raise RemoteError(f"{final} answered JSON that is not an array")
    return document


async def _fetch_body(
    client: httpx.AsyncClient,
    url: str,
    *,
    auth: httpx.Auth | None,
    max_bytes: int,
    accept: str,
    same_origin: bool,
) -> tuple[str, bytes]:
    extra: dict[str, Any] = {"auth": auth} if auth is not None else {}
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise RemoteError(f"{url!r} is not a URL") from None
    # an id a peer sent (`/x`, `mailto:`, `https://[::1`) is no address to fetch: say so before
    # the client is asked, whatever transport it has
    if current.scheme not in ("http", "https") or not current.host:
        raise RemoteError(f"{url!r} is not an absolute http(s) URL")
    start = origin(current)
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            async with client.stream(
                "GET", current, headers={"Accept": accept}, follow_redirects=False, **extra
            ) as response:
                status = response.status_code
                location = response.headers.get("location") if response.is_redirect else None
                if location is None:
                    _raise_for_status(str(current), status)
                    return str(current), await read_limited(response, max_bytes)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise RemoteUnavailable(f"{current}: {type(exc).__name__}") from None
        try:
            target = current.join(location)
        except (httpx.InvalidURL, ValueError):
            raise RemoteError(f"{current} redirects to an invalid URL") from None
        if target.scheme not in ("http", "https"):
            raise RemoteError(f"{current} redirects to a {target.scheme} URL")
        if same_origin and origin(target) != start:
            # an open redirect on a peer must not let another server answer for that peer's
            # actors and keys (Mastodon's CVE-2024-23832)
            raise RemoteError(f"{url} redirects to another origin ({target.host})")
        current = target
    raise RemoteError(f"{url} redirects more than {MAX_REDIRECTS} times")


def _raise_for_status(url: str, status: int) -> None:
    if status == 404:
        raise RemoteNotFound(f"{url} answered 404")
    if status == 410:
        raise RemoteGone(f"{url} answered 410")
    if status >= 500 or status == 429:
        raise RemoteUnavailable(f"{url} answered {status}")
    if status >= 300:
        raise RemoteError(f"{url} answered {status}")


def _json_value(url: str, body: bytes) -> Any:
    try:
        document = json.loads(body, parse_constant=parse.not_json)
    except (ValueError, RecursionError):
        raise RemoteError(f"{url} did not answer JSON") from None
    if isinstance(document, dict | list) and _depth(document) > MAX_JSON_DEPTH:
        raise RemoteError(f"{url} answered JSON nested deeper than {MAX_JSON_DEPTH}")
    if parse.holds_nul(document):  # PostgreSQL's jsonb could not store it
        raise RemoteError(f"{url} answered JSON holding a NUL character")
    return document


def _json_object(url: str, body: bytes) -> dict[str, Any]:
    document = _json_value(url, body)
    if not isinstance(document, dict):
        raise RemoteError(f"{url} answered JSON that is not an object")
    return document


async def fetch_json(
    client: httpx.AsyncClient,
    url: str,
    *,
    auth: httpx.Auth | None = None,
    max_bytes: int = 1_000_000,
    accept: str = AP_ACCEPT,
) -> dict[str, Any]:
    """GET url as ActivityStreams JSON (redirects to any origin followed); the document only."""
    fetched = await fetch(client, url, auth=auth, max_bytes=max_bytes, accept=accept)
    return fetched.document
