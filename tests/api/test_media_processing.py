"""Uploaded images as Mastodon serves them: without the photo's metadata (GPS position, camera
serial) but upright, with a 640-px preview, a blurhash and `meta`; image bombs and damaged files
refused with nothing stored; unguessable file names; large images processed by a job (202, then
200); and the preview, blurhash and focal point sent to peers."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import blurhash
import pytest
from apikit import bearer, make_token, make_user
from mediakit import (
    BODY_SERIAL,
    EXIF_IFD,
    GPS_IFD,
    ORIENTATION,
    opened,
    photo,
    png,
    secrets_in,
)
from quart.datastructures import FileStorage
from test_entity_shapes import check

from fedihub import config, jobs, models
from fedihub.media import processing
from fedihub.runtime import Runtime
from fedihub.social import documents
from fedihub.web.common import RUNTIME_KEY

_FOLDER = re.compile(r"^https://fedihub\.test/media/attachments/([A-Za-z0-9_-]{22})/original\.")


@pytest.fixture
def settings(settings: config.Settings) -> config.Settings:
    # images over 200x200 are left to the job, so small test images take the background path
    return replace(settings, media_inline_pixels=40_000)


def _files(data: bytes, name: str = "photo.jpg") -> dict[str, FileStorage]:
    return {"file": FileStorage(io.BytesIO(data), filename=name, content_type="image/jpeg")}


async def _upload(
    client: Any, token: str, data: bytes, path: str = "/api/v1/media", **form: str
) -> Any:
    return await client.post(path, headers=bearer(token), files=_files(data), form=form)


async def _served(client: Any, url: str) -> bytes:
    response = await client.get(url.removeprefix("https://fedihub.test"))
    assert response.status_code == 200, url
    return bytes(await response.get_data())


def _stored_files(rt: Runtime) -> list[Path]:
    return [p for p in rt.settings.media_dir.rglob("*") if p.is_file()]


async def test_a_photo_comes_back_without_its_metadata_upright_with_preview_and_blurhash(
    client: Any,
) -> None:
    token = await make_token(await make_user(client.app))
    sent = photo(1600, 1200, orientation=6)
    body = await (await _upload(client, token, sent, focus="-0.5,0.25")).get_json()
    check("MediaAttachment", body)

    stored = await _served(client, body["url"])
    assert secrets_in(stored) == [] and len(secrets_in(sent)) == 5
    picture = opened(stored)
    exif = picture.getexif()
    assert dict(exif) == {ORIENTATION: 6}  # the orientation tag is all that is left
    assert not exif.get_ifd(GPS_IFD) and BODY_SERIAL not in exif.get_ifd(EXIF_IFD)
    assert picture.size == (1600, 1200)

    preview = opened(await _served(client, body["preview_url"]))
    assert body["preview_url"] != body["url"] and preview.size == (480, 640)
    assert not preview.getexif()
    top = preview.getpixel((240, 10))
    assert isinstance(top, tuple) and top[0] > 150 > top[2]  # shown upright: red half on top

    assert len(blurhash.decode(body["blurhash"], 4, 4)) == 4
    assert body["meta"] == {
        "original": {"width": 1200, "height": 1600, "size": "1200x1600", "aspect": 0.75},
        "small": {"width": 480, "height": 640, "size": "480x640", "aspect": 0.75},
        "focus": {"x": -0.5, "y": 0.25},
    }


async def test_an_image_bomb_is_refused_with_422_and_nothing_stored(client: Any) -> None:
    token = await make_token(await make_user(client.app))
    bomb = png(1, 1).replace(b"\x00\x00\x00\x01\x00\x00\x00\x01", b"\x00\x00u0\x00\x00u0", 1)
    for path in ("/api/v1/media", "/api/v2/media"):
        refused = await _upload(client, token, bomb, path)
        assert refused.status_code == 422
        assert (await refused.get_json())["error"] == (
            "Validation failed: 30000x30000 images are not supported"
        )
    assert await models.MediaAttachment.all().count() == 0
    assert _stored_files(client.app.extensions[RUNTIME_KEY]) == []
    assert await models.Job.all().count() == 0


async def test_a_cut_or_corrupt_image_is_refused_with_422_and_nothing_stored(client: Any) -> None:
    token = await make_token(await make_user(client.app))
    for damaged in (photo(300, 200)[:700], png(8, 8)[:-30], b"\xff\xd8\xff\xfe\x00\x02\xff\xd9"):
        refused = await _upload(client, token, damaged)
        assert refused.status_code == 422
        assert "the image is damaged or incomplete" in (await refused.get_json())["error"]
    assert await models.MediaAttachment.all().count() == 0
    assert _stored_files(client.app.extensions[RUNTIME_KEY]) == []


async def test_file_names_are_random_and_tell_nothing(client: Any) -> None:
    token = await make_token(await make_user(client.app))
    folders = []
    for _ in range(4):
        body = await (await _upload(client, token, png(20, 20))).get_json()
        match = _FOLDER.match(body["url"])
        assert match is not None, body["url"]
        folder = match.group(1)
        assert len(base64.urlsafe_b64decode(folder + "==")) == 16  # 128 random bits
        assert body["id"] not in body["url"]
        folders.append(folder)
    assert len({f[:3] for f in folders}) == len(folders)  # no shared time prefix


async def test_a_large_image_is_processed_by_a_job_202_then_200(client: Any) -> None:
    rt = client.app.extensions[RUNTIME_KEY]
    token = await make_token(await make_user(client.app))
    queued = await _upload(client, token, photo(1000, 800), "/api/v2/media", focus="0.1,0.2")
    assert queued.status_code == 202
    body = await queued.get_json()
    check("MediaAttachment", body)
    assert body["url"] is None and body["preview_url"] is None and body["blurhash"] is None
    assert body["meta"]["original"]["width"] == 1000 and "small" not in body["meta"]
    # the file waiting for the job is already without its metadata
    row = await models.MediaAttachment.get(id=int(body["id"]))
    assert (
        row.storage_key and secrets_in((rt.settings.media_dir / row.storage_key).read_bytes()) == []
    )

    shown = await client.get(f"/api/v1/media/{body['id']}", headers=bearer(token))
    assert shown.status_code == 206
    early = await client.post(
        "/api/v1/statuses", headers=bearer(token), json={"status": "x", "media_ids": [body["id"]]}
    )
    assert early.status_code == 422 and "finished processing" in (await early.get_json())["error"]
    described = await client.put(
        f"/api/v1/media/{body['id']}", headers=bearer(token), json={"focus": "0.5,0.5"}
    )
    assert described.status_code == 206  # as Mastodon: still processing

    assert await jobs.drain(rt) == 1
    done = await client.get(f"/api/v1/media/{body['id']}", headers=bearer(token))
    assert done.status_code == 200
    ready = await done.get_json()
    check("MediaAttachment", ready)
    assert ready["url"] and ready["preview_url"] and ready["blurhash"]
    assert opened(await _served(client, ready["preview_url"])).size == (640, 512)
    assert ready["meta"]["small"] == {
        "width": 640,
        "height": 512,
        "size": "640x512",
        "aspect": 1.25,
    }
    assert ready["meta"]["focus"] == {"x": 0.5, "y": 0.5}  # the PUT during processing is kept
    posted = await client.post(
        "/api/v1/statuses", headers=bearer(token), json={"status": "x", "media_ids": [body["id"]]}
    )
    assert posted.status_code == 200


async def test_small_images_and_v1_uploads_are_processed_at_once(client: Any) -> None:
    token = await make_token(await make_user(client.app))
    small = await _upload(client, token, png(200, 200), "/api/v2/media")
    assert small.status_code == 200 and (await small.get_json())["url"]
    large_v1 = await _upload(client, token, photo(1000, 800), "/api/v1/media")
    assert large_v1.status_code == 200 and (await large_v1.get_json())["blurhash"]
    assert await models.Job.filter(kind=processing.KIND).count() == 0


async def test_an_image_that_fails_in_the_job_answers_422_and_cannot_be_posted(
    client: Any,
) -> None:
    rt = client.app.extensions[RUNTIME_KEY]
    token = await make_token(await make_user(client.app))
    queued = await _upload(client, token, photo(1000, 800), "/api/v2/media")
    media_id = (await queued.get_json())["id"]
    row = await models.MediaAttachment.get(id=int(media_id))
    assert row.storage_key
    path = rt.settings.media_dir / row.storage_key
    whole = path.read_bytes()
    path.write_bytes(whole[:400] + b"\x00" * (len(whole) - 402) + b"\xff\xd9")  # data gone bad

    await jobs.drain(rt)
    failed = await client.get(f"/api/v1/media/{media_id}", headers=bearer(token))
    assert failed.status_code == 422
    assert (await failed.get_json())["error"] == "Error processing thumbnail for uploaded media"
    assert not path.exists()
    posted = await client.post(
        "/api/v1/statuses", headers=bearer(token), json={"status": "x", "media_ids": [media_id]}
    )
    assert posted.status_code == 422


async def test_the_federated_note_carries_blurhash_size_and_focal_point(client: Any) -> None:
    token = await make_token(await make_user(client.app))
    body = await (await _upload(client, token, photo(150, 100), focus="0.25,-1")).get_json()
    made = await client.post(
        "/api/v1/statuses", headers=bearer(token), json={"status": "x", "media_ids": [body["id"]]}
    )
    status = await models.Status.get(id=int((await made.get_json())["id"]))
    note = await documents.note_document(client.app.extensions[RUNTIME_KEY], status)
    (attachment,) = note["attachment"]
    assert attachment["blurhash"] == body["blurhash"] and attachment["url"] == body["url"]
    assert (attachment["width"], attachment["height"]) == (150, 100)
    assert attachment["focalPoint"] == [0.25, -1.0]


async def test_avatar_and_header_lose_their_metadata_and_image_bombs_are_refused(
    client: Any,
) -> None:
    token = await make_token(await make_user(client.app))

    def picture(data: bytes) -> FileStorage:
        return FileStorage(io.BytesIO(data), filename="me.jpg", content_type="image/jpeg")

    files = {"avatar": picture(photo(90, 90, orientation=8)), "header": picture(photo(300, 100))}
    changed = await client.patch(
        "/api/v1/accounts/update_credentials", headers=bearer(token), files=files
    )
    assert changed.status_code == 200
    account = await changed.get_json()
    avatar = await _served(client, account["avatar"])
    assert secrets_in(avatar) == [] and dict(opened(avatar).getexif()) == {ORIENTATION: 8}
    assert secrets_in(await _served(client, account["header"])) == []

    bomb = png(1, 1).replace(b"\x00\x00\x00\x01\x00\x00\x00\x01", b"\x00\x00u0\x00\x00u0", 1)
    for field in ("avatar", "header"):
        refused = await client.patch(
            "/api/v1/accounts/update_credentials",
            headers=bearer(token),
            files={field: picture(bomb)},
        )
        assert refused.status_code == 422
        assert "30000x30000 images are not supported" in (await refused.get_json())["error"]
    unchanged = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert (await unchanged.get_json())["avatar"] == account["avatar"]
