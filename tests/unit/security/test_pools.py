"""One pool per origin: routing, keep-alive window, bounds on kept pools and requests in flight."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from fedihub.security import http, pools, ssrf


class FakePool(httpx.AsyncBaseTransport):
    """Stands for one origin's connection pool: answers 200 (after `gate`, when set)."""

    def __init__(self, made: list[FakePool], gate: asyncio.Event | None) -> None:
        self.requests: list[str] = []
        self.closed = False
        self.gate = gate
        made.append(self)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert not self.closed, "a request reached a closed pool"
        self.requests.append(str(request.url))
        if self.gate is not None:
            await self.gate.wait()
        return httpx.Response(200, text="ok")

    async def aclose(self) -> None:
        self.closed = True


def _router(
    made: list[FakePool],
    *,
    max_connections: int = 10,
    keep: int = 10,
    expiry: float = 60.0,
    gate: asyncio.Event | None = None,
) -> pools.PoolPerOrigin:
    return pools.PoolPerOrigin(
        lambda: FakePool(made, gate),
        max_connections=max_connections,
        keep=keep,
        keepalive_expiry=expiry,
    )


async def test_each_origin_gets_its_own_pool_and_keeps_it_between_requests() -> None:
    made: list[FakePool] = []
    async with httpx.AsyncClient(transport=_router(made)) as client:
        for url in [
            "https://a.example/1",
            "https://b.example/1",
            "https://a.example/2",
            "http://a.example/3",
            "https://a.example:8443/4",
        ]:
            assert (await client.get(url)).text == "ok"
    assert [p.requests for p in made] == [
        ["https://a.example/1", "https://a.example/2"],
        ["https://b.example/1"],
        ["http://a.example/3"],
        ["https://a.example:8443/4"],
    ]
    assert all(p.closed for p in made)  # closing the client closes every pool


async def test_least_recently_used_pools_past_the_bound_are_closed() -> None:
    made: list[FakePool] = []
    async with httpx.AsyncClient(transport=_router(made, keep=2)) as client:
        for host in ["a", "b", "a", "c"]:
            await client.get(f"https://{host}.example/")
        a, b, c = made
        assert b.closed and not a.closed  # b was the least recently used when c came
        await client.get("https://d.example/")
        assert a.closed and not c.closed and not made[3].closed
        await client.get("https://b.example/")
        assert len(made) == 5 and not made[-1].closed  # b comes back with a new pool


async def test_pools_unused_past_the_keepalive_expiry_are_closed() -> None:
    made: list[FakePool] = []
    async with httpx.AsyncClient(transport=_router(made, expiry=0.05)) as client:
        await client.get("https://a.example/")
        await client.get("https://b.example/")
        await asyncio.sleep(0.1)
        await client.get("https://b.example/")  # b is in use again; a has expired
        a, b = made
        assert a.closed and not b.closed


async def test_a_pool_serving_a_request_is_not_closed() -> None:
    made: list[FakePool] = []
    gate = asyncio.Event()
    router = _router(made, keep=1, gate=gate)
    async with httpx.AsyncClient(transport=router) as client:
        slow = asyncio.ensure_future(client.get("https://a.example/slow"))
        await asyncio.sleep(0.01)
        others = asyncio.ensure_future(
            asyncio.gather(*(client.get(f"https://h{i}.example/") for i in range(3)))
        )
        await asyncio.sleep(0.01)
        assert not made[0].closed  # over the bound, but a's request is still in flight
        gate.set()
        assert (await slow).text == "ok"
        await others
        await client.get("https://z.example/")
        assert made[0].closed


async def test_requests_in_flight_over_all_origins_are_bounded() -> None:
    made: list[FakePool] = []
    gate = asyncio.Event()
    async with httpx.AsyncClient(transport=_router(made, max_connections=2, gate=gate)) as client:
        pending = [asyncio.ensure_future(client.get(f"https://h{i}.example/")) for i in range(5)]
        await asyncio.sleep(0.01)
        assert sum(len(p.requests) for p in made) == 2
        gate.set()
        assert [r.status_code for r in await asyncio.gather(*pending)] == [200] * 5


async def test_waiting_for_a_slot_ends_at_the_pool_timeout() -> None:
    made: list[FakePool] = []
    gate = asyncio.Event()
    router = _router(made, max_connections=1, gate=gate)
    async with httpx.AsyncClient(transport=router, timeout=httpx.Timeout(5.0, pool=0.05)) as client:
        busy = asyncio.ensure_future(client.get("https://a.example/"))
        await asyncio.sleep(0.01)
        with pytest.raises(httpx.PoolTimeout):
            await client.get("https://b.example/")
        gate.set()
        await busy
        assert (await client.get("https://b.example/")).status_code == 200  # its slot came back


def test_the_built_client_makes_a_guarded_pool_per_origin() -> None:
    client = http.build_client(
        allow_private=False, max_connections=8, max_per_host=3, timeout=5.0, user_agent="t"
    )
    transport = client._transport
    assert isinstance(transport, http._HostLimitTransport)
    router = transport.inner.inner  # type: ignore[attr-defined]
    assert isinstance(router, pools.PoolPerOrigin)
    origin_pool = router._make_pool()
    assert isinstance(origin_pool, httpx.AsyncHTTPTransport)
    assert isinstance(origin_pool._pool._network_backend, ssrf.GuardedBackend)
    assert origin_pool._pool._max_connections == 3
