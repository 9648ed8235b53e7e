"""The remote media cache: a remote Create(Note) with attachments, processed by the inbox job, has
its files copied from a peer on loopback into this node's storage; what is refused stays linked;
old copies are deleted again and the entity falls back to the remote URL; local uploads are kept."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from apikit import bearer, make_token, make_user, remote_actor
from mediakit import opened, photo, png, secrets_in
from test_entity_shapes import check

from fedihub import config, jobs, models
from fedihub.errors import ConfigError
from fedihub.inbox.receive import INBOX_JOB
from fedihub.media import remote_cache
from fedihub.models import FollowState, JobState
from fedihub.runtime import Runtime
from fedihub.security import http
from fedihub.social import documents
from fedihub.web.common import RUNTIME_KEY

IMAGE_LIMIT = 20_000
VIDEO_LIMIT = 60_000
PICTURE = png(40, 30)
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


ROUTES = {  # path -> (status, content type, body)
    "/pic.png": (200, "image/png", PICTURE),
    "/other.png": (200, "image/png", png(2, 2)),
    "/huge.png": (200, "image/png", png(200, 200) + b"\x00" * IMAGE_LIMIT),
    "/page.html": (200, "text/html; charset=utf-8", b"<html>not a picture</html>"),
    "/disguised.png": (200, "image/png", b"<html>declared as an image, is not one</html>"),
    "/busy.png": (503, "text/plain", b"try later"),
    "/wide.png": (200, "image/png", png(900, 600)),
    "/photo.jpg": (200, "image/jpeg", photo(200, 100, orientation=6)),
    "/bomb.png": (200, "image/png", png(1, 1).replace(b"\0\0\0\1\0\0\0\1", b"\0\0u0\0\0u0", 1)),
}
BLURHASH = "LEHV6nWB2yk8pyo0adR*.7kCMdnj"  # 4x3 components, from the blurhash README


class MediaPeer(ThreadingHTTPServer):
    """A peer's media server on 127.0.0.1 (a thread of its own), recording what it was asked."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Answer)
        self.requests: list[tuple[str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Answer(BaseHTTPRequestHandler):
    server: MediaPeer

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        status, content_type, body = ROUTES.get(self.path, (404, "text/plain", b"not here"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # a refused download hangs up early
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def peer() -> Iterator[MediaPeer]:
    server = MediaPeer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def settings(settings: config.Settings) -> config.Settings:
    # the peer lives on loopback; small limits keep the refused files small
    return replace(
        settings,
        allow_private_networks=True,
        max_media_bytes=IMAGE_LIMIT,
        remote_media_max_bytes=VIDEO_LIMIT,
    )


async def _node(client: Any) -> tuple[Runtime, str, models.Actor]:
    """The node's Runtime, a reader's token, and a remote author the reader follows."""
    ada = await make_user(client.app, "ada")
    zoe = await remote_actor("zoe", "far.example")
    await models.Follow.create(follower=ada.actor, target=zoe, state=FollowState.ACCEPTED)
    return client.app.extensions[RUNTIME_KEY], await make_token(ada), zoe


async def _receive_note(
    rt: Runtime,
    author: models.Actor,
    n: int,
    urls: list[str],
    extra: list[dict[str, Any]] | None = None,
) -> models.Status:
    """A Create(Note) from `author` with an image attachment per url (each with the fields of
    `extra` at its position), run as the inbox runs it."""
    note = {
        "id": f"https://far.example/notes/{n}",
        "type": "Note",
        "attributedTo": author.uri,
        "content": f"<p>pictures {n}</p>",
        "to": [PUBLIC],
        "cc": [],
        "attachment": [
            {
                "type": "Document",
                "mediaType": "image/png",
                "url": url,
                "name": f"alt {i}",
                **(extra[i] if extra else {}),
            }
            for i, url in enumerate(urls)
        ],
    }
    activity = {
        "id": f"{note['id']}/activity",
        "type": "Create",
        "actor": author.uri,
        "object": note,
    }
    await jobs.enqueue(rt, INBOX_JOB, {"activity": activity, "signer": author.id, "owner": None})
    await jobs.drain(rt)
    return await models.Status.get(uri=note["id"])


async def _media(client: Any, token: str, status: models.Status) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/statuses/{status.id}", headers=bearer(token))
    assert response.status_code == 200
    items: list[dict[str, Any]] = (await response.get_json())["media_attachments"]
    for item in items:
        check("MediaAttachment", item)
    return items


async def _fetch_jobs() -> list[models.Job]:
    return await models.Job.filter(kind=remote_cache.KIND).order_by("id")


async def test_a_remote_image_is_copied_here_and_served_from_this_nodes_url(
    client: Any, peer: MediaPeer
) -> None:
    rt, token, zoe = await _node(client)
    status = await _receive_note(rt, zoe, 1, [peer.url("/pic.png")])
    (item,) = await _media(client, token, status)
    assert item["remote_url"] == peer.url("/pic.png")
    assert item["url"].startswith("https://fedihub.test/media/attachments/")
    assert item["url"].endswith("/original.png")
    assert item["preview_url"] == item["url"] and item["description"] == "alt 0"
    original = {"width": 40, "height": 30, "size": "40x30", "aspect": round(40 / 30, 6)}
    assert item["meta"]["original"] == original
    served = await client.get(item["url"].removeprefix("https://fedihub.test"))
    assert served.status_code == 200 and await served.get_data() == PICTURE
    assert [path for path, _ in peer.requests] == ["/pic.png"]
    assert "image/*" in peer.requests[0][1]["accept"]
    row = await models.MediaAttachment.get(id=int(item["id"]))
    assert row.size == len(PICTURE) and row.content_type == "image/png"
    # the Note this node serves still points at the origin, not at our copy
    note = await documents.note_document(rt, status)
    assert [a["url"] for a in note["attachment"]] == [peer.url("/pic.png")]
    # a second run of the same job (a replay) downloads nothing again
    await remote_cache.enqueue_for_status(rt, status.id)
    await jobs.drain(rt)
    assert len(peer.requests) == 1


async def test_a_remote_attachment_keeps_the_blurhash_sizes_and_focal_point_its_origin_sent(
    client: Any, peer: MediaPeer
) -> None:
    rt, token, zoe = await _node(client)
    declared = {"blurhash": BLURHASH, "width": 1800, "height": 1200, "focalPoint": [0.5, -0.25]}
    garbage = {"blurhash": "not a blurhash!", "width": -3, "height": 0, "focalPoint": [7, "x"]}
    urls = [peer.url("/busy.png"), peer.url("/wide.png"), peer.url("/photo.jpg")]
    status = await _receive_note(rt, zoe, 7, urls, [declared, declared, garbage])
    waiting, cached, photo_copy = await _media(client, token, status)
    # not copied here (the peer is busy): what the origin said
    assert waiting["url"] == waiting["preview_url"] == peer.url("/busy.png")
    assert waiting["blurhash"] == BLURHASH
    assert waiting["meta"] == {
        "original": {"width": 1800, "height": 1200, "size": "1800x1200", "aspect": 1.5},
        "focus": {"x": 0.5, "y": -0.25},
    }
    # copied: the peer's blurhash and focal point, the file's own sizes, a preview of ours
    assert cached["blurhash"] == BLURHASH and cached["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert cached["meta"]["original"]["size"] == "900x600"
    assert cached["meta"]["small"]["size"] == "640x427"
    assert cached["url"].startswith("https://fedihub.test/media/attachments/")
    assert cached["preview_url"].startswith("https://fedihub.test/media/attachments/")
    preview = await client.get(cached["preview_url"].removeprefix("https://fedihub.test"))
    assert opened(await preview.get_data()).size == (640, 427)
    # garbage from the peer is not kept; the copy of a photo has no metadata and its own blurhash
    assert photo_copy["blurhash"] and photo_copy["blurhash"] != "not a blurhash!"
    assert "focus" not in photo_copy["meta"] and photo_copy["meta"]["original"]["size"] == "100x200"
    served = await client.get(photo_copy["url"].removeprefix("https://fedihub.test"))
    assert secrets_in(await served.get_data()) == []


async def test_a_remote_image_bomb_is_not_copied_and_stays_linked(
    client: Any, peer: MediaPeer
) -> None:
    rt, token, zoe = await _node(client)
    status = await _receive_note(rt, zoe, 8, [peer.url("/bomb.png")])
    (item,) = await _media(client, token, status)
    assert item["url"] == item["remote_url"] == peer.url("/bomb.png")
    (job,) = await _fetch_jobs()
    assert job.state == JobState.DEAD
    assert "30000x30000 images are not supported" in (job.last_error or "")
    assert not (rt.settings.media_dir / "attachments").exists()


async def test_rows_stored_with_a_peers_flat_sizes_show_them_as_original(client: Any) -> None:
    rt, token, zoe = await _node(client)
    status = await _receive_note(rt, zoe, 9, [])
    await models.MediaAttachment.create(
        actor_id=zoe.id,
        status_id=status.id,
        remote_url="https://far.example/old.png",
        meta={"width": 30, "height": 20},
    )
    (item,) = await _media(client, token, status)
    assert item["meta"] == {"original": {"width": 30, "height": 20, "size": "30x20", "aspect": 1.5}}


async def test_too_large_or_not_media_files_are_refused_and_stay_linked(
    client: Any, peer: MediaPeer
) -> None:
    rt, token, zoe = await _node(client)
    urls = [peer.url(p) for p in ("/huge.png", "/page.html", "/disguised.png", "/busy.png")]
    status = await _receive_note(rt, zoe, 2, urls)
    items = await _media(client, token, status)  # the status itself is fine
    assert [i["url"] for i in items] == [i["remote_url"] for i in items] == urls
    cached = models.MediaAttachment.filter(status_id=status.id, storage_key__not_isnull=True)
    assert not await cached.exists()
    assert not (rt.settings.media_dir / "attachments").exists()
    states = [(j.state, j.last_error or "") for j in await _fetch_jobs()]
    why = ["exceeds", "text/html, not image", "not an image, video or audio"]
    for (state, error), reason in zip(states[:3], why, strict=True):
        assert state == JobState.DEAD and error.startswith("permanent:") and reason in error
    # a peer that is busy is asked again later
    assert states[3][0] == JobState.PENDING and "503" in states[3][1]


async def test_a_private_address_is_refused_when_private_networks_are_not_allowed(
    client: Any, peer: MediaPeer
) -> None:
    rt, token, zoe = await _node(client)
    opened = rt.http
    rt.http = http.build_client(
        allow_private=False, max_connections=4, max_per_host=2, timeout=5.0, user_agent="test"
    )
    await opened.aclose()
    status = await _receive_note(rt, zoe, 3, [peer.url("/pic.png")])
    (item,) = await _media(client, token, status)
    assert item["url"] == item["remote_url"] == peer.url("/pic.png")
    assert peer.requests == []  # refused before any connection
    (job,) = await _fetch_jobs()
    assert job.state == JobState.DEAD and "non-public address" in (job.last_error or "")


async def _age(media_id: int, days: int) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    await models.MediaAttachment.filter(id=media_id).update(created_at=then)


async def test_clean_up_deletes_old_copies_and_the_entity_falls_back_to_the_remote_url(
    client: Any, peer: MediaPeer
) -> None:
    rt, token, zoe = await _node(client)
    status = await _receive_note(rt, zoe, 4, [peer.url("/pic.png"), peer.url("/other.png")])
    old, recent = await models.MediaAttachment.filter(status_id=status.id).order_by("position")
    assert old.storage_key and recent.storage_key
    await _age(old.id, days=rt.settings.media_cache_retention_days + 1)
    (expire,) = [t.run for t in rt.wiring.periodic_tasks if t.name == "expire_remote_media"]

    rt.settings = replace(rt.settings, media_cache_retention_days=0)  # 0: copies are kept for ever
    await expire(rt)
    assert (await models.MediaAttachment.get(id=old.id)).storage_key == old.storage_key

    rt.settings = replace(rt.settings, media_cache_retention_days=7)
    await expire(rt)
    with pytest.raises(FileNotFoundError):
        await rt.storage.get(old.storage_key)
    assert await rt.storage.get(recent.storage_key) == png(2, 2)
    first, second = await _media(client, token, status)
    assert first["url"] == first["remote_url"] == peer.url("/pic.png")
    assert second["url"].startswith("https://fedihub.test/media/")
    assert second["remote_url"] == peer.url("/other.png")
    gone = rt.storage.url(old.storage_key).removeprefix("https://fedihub.test")
    assert (await client.get(gone)).status_code == 404


async def test_clean_up_leaves_local_uploads_alone(client: Any, peer: MediaPeer) -> None:
    import io

    from quart.datastructures import FileStorage

    rt, token, zoe = await _node(client)
    files = {"file": FileStorage(io.BytesIO(PICTURE), filename="pic.png", content_type="image/png")}
    uploaded = await client.post("/api/v2/media", headers=bearer(token), files=files)
    upload = await uploaded.get_json()
    body = {"status": "mine", "media_ids": [upload["id"]]}
    created = await client.post("/api/v1/statuses", headers=bearer(token), json=body)
    posted = await created.get_json()
    remote = await _receive_note(rt, zoe, 5, [peer.url("/pic.png")])
    (copy,) = await models.MediaAttachment.filter(status_id=remote.id)
    for media_id in (int(upload["id"]), copy.id):
        await _age(media_id, days=365)
    assert await remote_cache.expire(rt, older_than=timedelta(days=1)) == 1  # the remote copy
    row = await models.MediaAttachment.get(id=int(upload["id"]))
    assert row.storage_key and await rt.storage.get(row.storage_key) == PICTURE
    (mine,) = posted["media_attachments"]
    assert mine["url"] == upload["url"] and mine["remote_url"] is None
    assert (await client.get(mine["url"].removeprefix("https://fedihub.test"))).status_code == 200


def test_retention_of_zero_days_is_allowed_and_a_negative_one_refused(tmp_path: Path) -> None:
    def load(**env: str) -> config.Settings:
        return config.load(environ=env, overrides={"data_dir": tmp_path})

    assert load(FEDIHUB_MEDIA_CACHE_RETENTION_DAYS="0").media_cache_retention_days == 0
    assert load().media_cache_retention_days == 7
    with pytest.raises(ConfigError, match="media_cache_retention_days"):
        load(FEDIHUB_MEDIA_CACHE_RETENTION_DAYS="-1")
