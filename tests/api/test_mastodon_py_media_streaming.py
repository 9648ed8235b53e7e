"""Mastodon.py against a real node: upload media, post with it, read it back, and hear a new post
on the user stream (Mastodon.py's own streaming listener, in its thread)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_node import LiveNode, live_node
from mastodon import Mastodon, StreamListener
from mediakit import opened, photo, png, secrets_in

STREAM_TIMEOUT_S = 20.0


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    with live_node(tmp_path_factory.mktemp("mastodon_py_media")) as running:
        yield running


def _client(node: LiveNode) -> Mastodon:
    scopes = ["read", "write", "follow", "push"]
    client_id, client_secret = Mastodon.create_app(
        "fedihub media tests", scopes=scopes, api_base_url=node.base_url
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=node.base_url)
    api.log_in(node.username, node.password, scopes=scopes, allow_http=True)
    return api


class _Updates(StreamListener):  # type: ignore[misc]
    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted = wanted
        self.heard = threading.Event()
        self.opened = threading.Event()
        self.ids: list[str] = []

    def handle_heartbeat(self) -> None:
        self.opened.set()  # the node's opening ":)" comment: the subscription is in place

    def on_update(self, status: Any) -> None:
        self.ids.append(str(status["id"]))
        if "posted while listening" in status["content"]:
            self.heard.set()


def test_upload_post_read_back_and_delete_with_media(node: LiveNode, tmp_path: Path) -> None:
    api = _client(node)
    picture = tmp_path / "square.png"
    picture.write_bytes(png(16, 9))
    media = api.media_post(str(picture), description="A black rectangle", focus=(0.1, -0.2))
    assert media["type"] == "image" and media["description"] == "A black rectangle"
    assert media["meta"]["original"]["width"] == 16 and media["meta"]["original"]["height"] == 9
    assert httpx.get(media["url"], timeout=10).content == png(16, 9)
    status = api.status_post("With a picture", media_ids=[media])
    read_back = api.status(status["id"])
    assert [m["id"] for m in read_back["media_attachments"]] == [media["id"]]
    assert read_back["media_attachments"][0]["description"] == "A black rectangle"
    api.status_delete(status["id"])
    from mastodon import MastodonNotFoundError

    with pytest.raises(MastodonNotFoundError):
        api.status(status["id"])


def test_a_large_photo_is_processed_in_the_background_and_comes_back_stripped(
    node: LiveNode, tmp_path: Path
) -> None:
    api = _client(node)
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(photo(2400, 1800, orientation=6))  # over the 2048x2048 done at once
    answer = httpx.post(
        f"{node.base_url}/api/v2/media",
        headers={"Authorization": f"Bearer {api.access_token}"},
        files={"file": ("photo.jpg", picture.read_bytes(), "image/jpeg")},
        timeout=10,
    )
    assert answer.status_code == 202 and answer.json()["url"] is None
    # Mastodon.py's synchronous upload polls GET /api/v1/media/:id until `url` is set
    media = api.media_post(str(picture), synchronous=True)
    assert media["blurhash"] and media["meta"]["small"]["size"] == "480x640"
    assert secrets_in(httpx.get(media["url"], timeout=10).content) == []
    assert opened(httpx.get(media["preview_url"], timeout=10).content).size == (480, 640)
    status = api.status_post("A photo", media_ids=[media])
    assert status["media_attachments"][0]["blurhash"] == media["blurhash"]


def test_stream_user_hears_a_post_made_meanwhile(node: LiveNode) -> None:
    api = _client(node)
    listener = _Updates("posted while listening")
    handle = api.stream_user(
        listener, run_async=True, timeout=STREAM_TIMEOUT_S, reconnect_async=False
    )
    try:
        assert listener.opened.wait(STREAM_TIMEOUT_S), "the user stream did not open"
        posted = api.status_post("posted while listening")
        assert listener.heard.wait(STREAM_TIMEOUT_S), "no update event arrived on the user stream"
        assert listener.ids == [str(posted["id"])]
    finally:
        handle.close()


def _ws_messages(
    host: str,
    port: int,
    path: str,
    subprotocol: str,
    ready: threading.Event,
    out: list[dict[str, Any]],
    wanted: int,
) -> None:
    """A minimal WebSocket client (wsproto over a socket), as a browser client connects."""
    import json
    import socket

    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request, TextMessage

    conn = WSConnection(ConnectionType.CLIENT)
    with socket.create_connection((host, port), timeout=STREAM_TIMEOUT_S) as sock:
        sock.sendall(
            conn.send(Request(host=f"{host}:{port}", target=path, subprotocols=[subprotocol]))
        )
        text = ""
        while len(out) < wanted:
            conn.receive_data(sock.recv(65536) or None)
            for event in conn.events():
                if isinstance(event, AcceptConnection):
                    assert event.subprotocol == subprotocol  # echoed, as browsers require
                    sock.sendall(
                        conn.send(TextMessage(json.dumps({"type": "subscribe", "stream": "user"})))
                    )
                    sock.sendall(
                        conn.send(TextMessage(json.dumps({"type": "subscribe", "stream": "?"})))
                    )
                elif isinstance(event, TextMessage):
                    text += event.data
                    if event.message_finished:
                        message = json.loads(text)
                        text = ""
                        if "error" in message:
                            ready.set()  # the bad subscribe was answered: "user" is in place
                        else:
                            out.append(message)


def test_websocket_on_the_real_server_with_the_token_as_subprotocol(node: LiveNode) -> None:
    from urllib.parse import urlsplit

    api = _client(node)
    parts = urlsplit(node.base_url)
    ready = threading.Event()
    received: list[dict[str, Any]] = []
    reader = threading.Thread(
        target=_ws_messages,
        args=(
            parts.hostname,
            parts.port,
            "/api/v1/streaming",
            api.access_token,
            ready,
            received,
            1,
        ),
        daemon=True,
    )
    reader.start()
    assert ready.wait(STREAM_TIMEOUT_S), "the WebSocket subscription was not confirmed"
    posted = api.status_post("heard over a WebSocket")
    reader.join(STREAM_TIMEOUT_S)
    assert not reader.is_alive()
    assert received[0]["stream"] == ["user"] and received[0]["event"] == "update"
    posted_id = posted["id"]
    assert f'"id":"{posted_id}"' in received[0]["payload"]
