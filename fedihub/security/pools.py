"""One connection pool per origin, as urllib3's PoolManager keeps one per host.

httpcore's pool (1.0.9) looks at every pooled connection twice per request, once when it is sent
and once when its response is closed: a keep-alive check that counts every connection for each
idle one (quadratic), and a poll of each idle socket. A fan-out to a thousand hosts keeps its
pool full of idle connections to hosts it will not see again, and that bookkeeping cost ~3.5 ms of
CPU per request with 100 of them (benchmarks/README.md, Fan-out). Here a request only meets the
connections of its own origin (at most the per-host bound), and keep-alive to a busy peer works
as before.

Pools of origins used within `keepalive_expiry` are kept, at most `keep` of them, least recently
used closed first; a pool still serving a request is never closed. Requests in flight over all
origins are bounded by `max_connections`, waiting at most the request's pool timeout.

Imports nothing of fedihub.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

import httpx

Origin = tuple[str, str, int | None]


class _Pool:
    __slots__ = ("active", "transport", "used_at")

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        self.active = 0
        self.used_at = time.monotonic()


class ReleasingStream(httpx.AsyncByteStream):
    """A response body that calls `release` when it is closed (httpx closes a body once read)."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._release()


async def send_then_release(
    transport: httpx.AsyncBaseTransport, request: httpx.Request, release: Callable[[], None]
) -> httpx.Response:
    """Send `request` on `transport`; `release` runs once its response is closed, or on error."""
    try:
        response = await transport.handle_async_request(request)
    except BaseException:
        release()
        raise
    assert isinstance(response.stream, httpx.AsyncByteStream)
    return httpx.Response(
        status_code=response.status_code,
        headers=response.headers,
        stream=ReleasingStream(response.stream, release),
        extensions=response.extensions,
    )


class PoolPerOrigin(httpx.AsyncBaseTransport):
    """Routes each request to its origin's pool, made by `make_pool` on first use."""

    def __init__(
        self,
        make_pool: Callable[[], httpx.AsyncBaseTransport],
        *,
        max_connections: int,
        keep: int,
        keepalive_expiry: float = 5.0,
    ) -> None:
        self._make_pool = make_pool
        self._pools: OrderedDict[Origin, _Pool] = OrderedDict()  # least recently used first
        self._in_flight = asyncio.Semaphore(max_connections)
        self._keep = keep
        self._expiry = keepalive_expiry

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        origin = (request.url.scheme, request.url.host, request.url.port)
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = _Pool(self._make_pool())
        else:
            self._pools.move_to_end(origin)
        pool.active += 1  # before closing others: this pool is in use from here on
        pool.used_at = time.monotonic()
        try:
            await self._close_unused()
            await self._slot(request)
        except BaseException:
            pool.active -= 1
            raise
        finished = False

        def done() -> None:
            nonlocal finished
            if not finished:
                finished = True
                pool.active -= 1
                pool.used_at = time.monotonic()
                self._in_flight.release()

        return await send_then_release(pool.transport, request, done)

    async def _slot(self, request: httpx.Request) -> None:
        if not self._in_flight.locked():
            await self._in_flight.acquire()  # free: taken at once, no timer
            return
        timeout = request.extensions.get("timeout", {}).get("pool")
        try:
            await asyncio.wait_for(self._in_flight.acquire(), timeout)
        except TimeoutError:
            raise httpx.PoolTimeout(
                "no connection slot came free in time", request=request
            ) from None

    async def _close_unused(self) -> None:
        """Close, oldest first, idle pools past their keep-alive or over the `keep` bound."""
        stale_before = time.monotonic() - self._expiry
        closing: list[Origin] = []
        for origin, pool in self._pools.items():
            over = len(self._pools) - len(closing) > self._keep
            if not over and pool.used_at >= stale_before:
                break  # the rest were used more recently
            if pool.active == 0:
                closing.append(origin)
        # out of the table before the first await, so no request picks a pool being closed
        pools = [self._pools.pop(origin) for origin in closing]
        for pool in pools:
            await pool.transport.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.transport.aclose()
