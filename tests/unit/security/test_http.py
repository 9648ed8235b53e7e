"""The outbound client: guard, per-host bound, size bound, JSON fetching and its error mapping."""

from __future__ import annotations

import asyncio
import datetime
import json
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from netfixtures import LoopbackServer, fake_resolver

from fedihub.errors import (
    PayloadTooLarge,
    RemoteError,
    RemoteForbidden,
    RemoteGone,
    RemoteNotFound,
    RemoteUnavailable,
)
from fedihub.security import http, ssrf

UA = "fedihub/0.1 (+https://node.example/)"


def _client(allow_private: bool, **kwargs) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    options = {"max_connections": 10, "max_per_host": 2, "timeout": 5.0, "user_agent": UA}
    return http.build_client(allow_private=allow_private, **(options | kwargs))


async def test_client_fetches_from_loopback_when_private_is_allowed(
    loopback: LoopbackServer,
) -> None:
    async with _client(True) as client:
        doc = await http.fetch_json(client, loopback.url + "/actor")
    assert doc["type"] == "Person"
    ((request_line, headers),) = loopback.requests
    assert request_line == "GET /actor"
    assert headers["user-agent"] == UA
    assert headers["accept"] == http.AP_ACCEPT


async def test_client_refuses_loopback_when_private_is_not_allowed(
    loopback: LoopbackServer,
) -> None:
    async with _client(False) as client:
        with pytest.raises(RemoteForbidden):
            await http.fetch_json(client, loopback.url + "/actor")
        with pytest.raises(RemoteForbidden):
            await client.get(f"http://localhost:{loopback.port}/actor")
    assert loopback.requests == []


async def test_redirect_to_loopback_is_refused_by_the_built_client(
    loopback: LoopbackServer,
) -> None:
    def public_host(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": loopback.url + "/actor"})

    table = {"public.example": ["93.184.216.34"]}
    client = _client(False, inner=httpx.MockTransport(public_host), resolver=fake_resolver(table))
    async with client:
        with pytest.raises(RemoteForbidden, match="127.0.0.1"):
            await http.fetch_json(client, "https://public.example/actor")
    assert loopback.requests == []


async def test_client_settings() -> None:
    async with _client(True, timeout=7.5) as client:
        assert client.timeout == httpx.Timeout(7.5)
        assert client.follow_redirects and client.max_redirects == 5
        assert client.headers["user-agent"] == UA


async def test_redirect_loops_end_as_remote_error() -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("n", "0"))
        return httpx.Response(302, headers={"Location": f"https://a.example/x?n={n + 1}"})

    client = _client(True, inner=httpx.MockTransport(loop))
    async with client:
        with pytest.raises(RemoteError, match="redirects more than 5"):
            await http.fetch_json(client, "https://a.example/x")


async def test_same_origin_fetch_refuses_a_redirect_to_another_origin_before_following_it() -> None:
    asked: list[str] = []

    def peer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host == "victim.example":
            return httpx.Response(302, headers={"Location": "https://evil.example/actor"})
        return httpx.Response(200, json={"id": "https://victim.example/users/v"})

    async with _client(True, inner=httpx.MockTransport(peer)) as client:
        with pytest.raises(RemoteError, match="redirects to another origin"):
            await http.fetch(client, "https://victim.example/out", same_origin=True)
        # the same redirect without the rule is followed, and the answer says where it landed
        fetched = await http.fetch(client, "https://victim.example/out")
    assert fetched.url == "https://evil.example/actor"
    assert asked == ["https://victim.example/out"] * 2 + ["https://evil.example/actor"]


@pytest.mark.parametrize(
    "location", ["https://victim.example:8443/a", "http://victim.example/a", "//evil.example/a"]
)
async def test_another_port_scheme_or_host_is_another_origin(location: str) -> None:
    def peer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": location})

    async with _client(True, inner=httpx.MockTransport(peer)) as client:
        with pytest.raises(RemoteError, match="another origin"):
            await http.fetch(client, "https://victim.example/out", same_origin=True)


async def test_each_redirect_hop_is_signed_for_its_own_url() -> None:
    from fedihub.activitypub import signatures
    from fedihub.security import keys

    seen: list[tuple[str, str]] = []

    def peer(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers["signature"]))
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(200, json={"id": "https://a.example/new"})

    auth = signatures.SignatureAuth(
        "https://node.example/actor#main-key", keys.generate_private_key()
    )
    async with _client(True, inner=httpx.MockTransport(peer)) as client:
        fetched = await http.fetch(client, "https://a.example/old", auth=auth, same_origin=True)
    assert fetched.url == "https://a.example/new"
    assert [path for path, _ in seen] == ["/old", "/new"]
    assert seen[0][1] != seen[1][1]  # a fresh signature, over the new path


async def test_per_host_bound_limits_requests_in_flight() -> None:
    in_flight: dict[str, int] = {"a.example": 0, "b.example": 0}
    peak: dict[str, int] = {"a.example": 0, "b.example": 0}
    overall_peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal overall_peak
        host = request.url.host
        in_flight[host] += 1
        peak[host] = max(peak[host], in_flight[host])
        overall_peak = max(overall_peak, sum(in_flight.values()))
        for _ in range(20):  # a slow peer: give every other request the chance to get in
            await asyncio.sleep(0)
        in_flight[host] -= 1
        return httpx.Response(200, json={"ok": True})

    client = _client(True, inner=httpx.MockTransport(slow), max_per_host=2)
    async with client:
        urls = [f"https://{h}/o/{i}" for i in range(10) for h in ("a.example", "b.example")]
        results = await asyncio.gather(*(http.fetch_json(client, u) for u in urls))
        assert all(r == {"ok": True} for r in results)
        transport = client._transport
        assert isinstance(transport, http._HostLimitTransport)
        assert transport._slots == {}  # every slot was given back
    assert peak == {"a.example": 2, "b.example": 2}
    assert overall_peak == 4  # the bound is per host, not global


async def test_host_slot_is_held_until_a_streamed_body_is_closed() -> None:
    client = _client(
        True, inner=httpx.MockTransport(lambda r: httpx.Response(200, text="x")), max_per_host=1
    )
    async with client:
        transport = client._transport
        assert isinstance(transport, http._HostLimitTransport)
        async with client.stream("GET", "https://a.example/1"):
            slot = transport._slots["a.example"]
            assert slot.semaphore.locked()
            waiting = asyncio.ensure_future(client.get("https://a.example/2"))
            await asyncio.sleep(0)
            assert not waiting.done()
        assert (await waiting).text == "x"


async def test_read_limited_stops_a_chunked_body_past_the_bound(loopback: LoopbackServer) -> None:
    async with _client(True) as client:
        async with client.stream("GET", loopback.url + "/big-chunked") as response:
            assert "content-length" not in response.headers
            with pytest.raises(PayloadTooLarge):
                await http.read_limited(response, 10_000)
        async with client.stream("GET", loopback.url + "/big-chunked") as response:
            assert len(await http.read_limited(response, 50_000)) == 50_000


async def test_read_limited_refuses_a_declared_length_past_the_bound() -> None:
    def big(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"{}" + b" " * 2_000_000)

    async with _client(True, inner=httpx.MockTransport(big)) as client:
        with pytest.raises(PayloadTooLarge):
            await http.fetch_json(client, "https://a.example/huge")


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(404), RemoteNotFound),
        (httpx.Response(410), RemoteGone),
        (httpx.Response(500), RemoteUnavailable),
        (httpx.Response(503), RemoteUnavailable),
        (httpx.Response(429), RemoteUnavailable),
        (httpx.Response(401), RemoteError),
        (httpx.Response(200, text="<html>hello</html>"), RemoteError),
        (httpx.Response(200, json=[1, 2]), RemoteError),
        (httpx.Response(200, json="x"), RemoteError),
        (httpx.Response(200, text="[" * 100_000), RemoteError),
    ],
)
async def test_fetch_json_maps_peer_failures(
    response: httpx.Response, error: type[Exception]
) -> None:
    async with _client(True, inner=httpx.MockTransport(lambda r: response)) as client:
        with pytest.raises(error) as caught:
            await http.fetch_json(client, "https://a.example/x")
    assert type(caught.value) is error


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("slow"), httpx.ConnectError("refused")])
async def test_fetch_json_maps_timeouts_and_refusals(exc: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    async with _client(True, inner=httpx.MockTransport(fail)) as client:
        with pytest.raises(RemoteUnavailable):
            await http.fetch_json(client, "https://a.example/x")


async def test_fetch_json_maps_a_closed_port_to_unavailable(loopback: LoopbackServer) -> None:
    async with _client(True) as client:
        with pytest.raises(RemoteUnavailable):
            await http.fetch_json(client, "http://127.0.0.1:1/actor")


def _nested(depth: int) -> dict:  # type: ignore[type-arg]
    doc: dict = {"leaf": 1}  # type: ignore[type-arg]
    for _ in range(depth - 1):
        doc = {"a": doc}
    return doc


async def test_fetch_json_bounds_nesting_depth() -> None:
    for depth, ok in ((32, True), (33, False)):
        body = json.dumps(_nested(depth))
        transport = httpx.MockTransport(lambda r, b=body: httpx.Response(200, text=b))
        async with _client(True, inner=transport) as client:
            if ok:
                assert await http.fetch_json(client, "https://a.example/x")
            else:
                with pytest.raises(RemoteError, match="nested deeper than 32"):
                    await http.fetch_json(client, "https://a.example/x")


async def test_fetch_json_passes_auth_and_accept() -> None:
    seen: list[httpx.Request] = []

    class Marker(httpx.Auth):
        def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
            request.headers["Signature"] = "marked"
            yield request

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "x"})

    async with _client(True, inner=httpx.MockTransport(handler)) as client:
        await http.fetch_json(
            client, "https://a.example/x", auth=Marker(), accept="application/json"
        )
    assert seen[0].headers["signature"] == "marked"
    assert seen[0].headers["accept"] == "application/json"


def test_network_transport_uses_the_guarded_backend() -> None:
    # network_transport swaps httpx's pool to plug in the backend; fails if httpx changes shape.
    guarded = http.network_transport(allow_private=False, max_connections=3)
    assert isinstance(guarded._pool._network_backend, ssrf.GuardedBackend)
    assert guarded._pool._max_connections == 3
    open_ = http.network_transport(allow_private=True, max_connections=3)
    assert not isinstance(open_._pool._network_backend, ssrf.GuardedBackend)


def test_ssl_cert_file_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fedihub test root")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    subjects = [c["subject"] for c in http.ssl_context().get_ca_certs()]
    assert subjects == [((("commonName", "fedihub test root"),),)]


async def test_proxy_variables_cannot_route_around_the_guard(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:1")
    async with _client(True) as client:
        assert (await http.fetch_json(client, loopback.url + "/actor"))["type"] == "Person"
    assert len(loopback.requests) == 1  # straight to the server, not via the (dead) proxy


@pytest.mark.parametrize("url", ["/x", "mailto:a@b.example", "https://[::1/x", "https://", ""])
async def test_fetching_what_is_no_http_url_is_a_remote_error_before_any_request(url: str) -> None:
    # found by tests/fuzz: a peer's object id such as "/x" reached the client, and an invalid one
    # raised httpx.InvalidURL, out of the inbox job as a crash to retry instead of a peer's error
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(404)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(RemoteError):
            await http.fetch(client, url)
    assert asked == []


@pytest.mark.parametrize(
    "body", [b'{"id": NaN}', b'{"id": Infinity}', b'{"name": "a\\u0000"}', b'{"\\u0000": 1}']
)
async def test_a_peer_document_postgresql_could_not_store_is_a_remote_error(body: bytes) -> None:
    # found by tests/fuzz on the inbox: NaN, Infinity and U+0000 cannot go into jsonb
    transport = httpx.MockTransport(lambda _: httpx.Response(200, content=body))
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(RemoteError):
            await http.fetch_json(client, "https://a.example/x")
