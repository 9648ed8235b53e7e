"""Media uploads through the API: v1 and v2, sizes read from the header, descriptions, limits,
ownership when posting, and the file served back."""

from __future__ import annotations

from typing import Any

from apikit import bearer, make_token, make_user
from mediakit import png
from quart.datastructures import FileStorage
from test_entity_shapes import check

from fedihub import models
from fedihub.social import documents
from fedihub.web.common import RUNTIME_KEY


def _file(
    data: bytes, name: str = "pic.png", content_type: str = "image/png"
) -> dict[str, FileStorage]:
    import io

    return {"file": FileStorage(io.BytesIO(data), filename=name, content_type=content_type)}


async def _upload(
    client: Any, token: str, data: bytes, path: str = "/api/v2/media", **form: str
) -> Any:
    return await client.post(path, headers=bearer(token), files=_file(data), form=form)


async def test_v2_upload_reads_the_size_and_serves_the_file(client: Any) -> None:
    ada = await make_user(client.app)
    token = await make_token(ada)
    response = await _upload(
        client, token, png(30, 20), description="A black square", focus="0.5,-0.25"
    )
    assert response.status_code == 200
    body = await response.get_json()
    check("MediaAttachment", body)
    assert body["type"] == "image" and body["description"] == "A black square"
    assert body["meta"]["original"] == {"width": 30, "height": 20, "size": "30x20", "aspect": 1.5}
    assert body["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert body["url"].startswith("https://fedihub.test/media/attachments/") and body[
        "url"
    ].endswith("/original.png")
    served = await client.get(body["url"].removeprefix("https://fedihub.test"))
    assert served.status_code == 200
    assert (
        served.headers["Content-Type"] == "image/png"
        and "max-age" in served.headers["Cache-Control"]
    )
    assert await served.get_data() == png(30, 20)


async def test_v1_upload_then_describe_then_post_with_it(client: Any) -> None:
    ada = await make_user(client.app)
    token = await make_token(ada)
    body = await (await _upload(client, token, png(), path="/api/v1/media")).get_json()
    updated = await client.put(
        f"/api/v1/media/{body['id']}", headers=bearer(token), json={"description": "Alt"}
    )
    assert (await updated.get_json())["description"] == "Alt"
    assert (
        await (await client.get(f"/api/v1/media/{body['id']}", headers=bearer(token))).get_json()
    )["description"] == "Alt"
    posted = await client.post(
        "/api/v1/statuses", headers=bearer(token), json={"status": "see", "media_ids": [body["id"]]}
    )
    status = await posted.get_json()
    assert [m["id"] for m in status["media_attachments"]] == [body["id"]]
    assert status["media_attachments"][0]["meta"]["original"]["width"] == 3
    # attached media can no longer be changed through /media (Mastodon answers 404 too)
    assert (
        await client.put(
            f"/api/v1/media/{body['id']}", headers=bearer(token), json={"description": "x"}
        )
    ).status_code == 404
    # the federated Note carries the attachment
    row = await models.Status.get(id=int(status["id"]))
    note = await documents.note_document(client.app.extensions[RUNTIME_KEY], row)
    (attachment,) = note["attachment"]
    assert attachment["url"] == body["url"] and attachment["mediaType"] == "image/png"
    assert attachment["name"] == "Alt" and (attachment["width"], attachment["height"]) == (3, 2)


async def test_too_large_and_wrong_type_are_refused(client: Any) -> None:
    ada = await make_user(client.app)
    token = await make_token(ada)
    limit = client.app.extensions[RUNTIME_KEY].settings.max_media_bytes
    too_large = await _upload(client, token, png() + b"\x00" * limit)
    assert too_large.status_code in (413, 422)
    assert "too large" in (await too_large.get_json())["error"].lower()
    wrong = await _upload(client, token, b"<html><script>alert(1)</script></html>")
    assert wrong.status_code == 422
    assert "content type" in (await wrong.get_json())["error"]
    assert await models.MediaAttachment.all().count() == 0


async def test_others_media_cannot_be_posted_or_edited(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_token, bob_token = await make_token(ada), await make_token(bob)
    media_id = (await (await _upload(client, ada_token, png())).get_json())["id"]
    posted = await client.post(
        "/api/v1/statuses",
        headers=bearer(bob_token),
        json={"status": "mine?", "media_ids": [media_id]},
    )
    assert posted.status_code == 422
    assert (
        await client.put(
            f"/api/v1/media/{media_id}", headers=bearer(bob_token), json={"description": "x"}
        )
    ).status_code == 404
    assert (await models.MediaAttachment.get(id=int(media_id))).status_id is None


async def test_upload_needs_a_token_with_write_media(client: Any) -> None:
    ada = await make_user(client.app)
    assert (await client.post("/api/v2/media", files=_file(png()))).status_code == 401
    read_only = await make_token(ada, "read")
    assert (await _upload(client, read_only, png())).status_code == 403
    assert (await _upload(client, await make_token(ada, "write:media"), png())).status_code == 200


async def test_media_paths_cannot_leave_the_media_folder(client: Any) -> None:
    for path in (
        "/media/../keys/secrets",
        "/media/%2e%2e/fedihub.sqlite3",
        "/media/attachments/..%2f..%2ffedihub.sqlite3",
    ):
        assert (await client.get(path)).status_code == 404


async def test_an_unattached_upload_can_be_deleted_with_its_file(client: Any) -> None:
    ada = await make_user(client.app)
    token = await make_token(ada)
    body = await (await _upload(client, token, png())).get_json()
    path = body["url"].removeprefix("https://fedihub.test")
    assert (await client.get(path)).status_code == 200
    other = await make_token(await make_user(client.app, "bob"))
    assert (
        await client.delete(f"/api/v1/media/{body['id']}", headers=bearer(other))
    ).status_code == 404
    assert (
        await client.delete(f"/api/v1/media/{body['id']}", headers=bearer(token))
    ).status_code == 200
    assert (await client.get(path)).status_code == 404
    assert not await models.MediaAttachment.filter(id=int(body["id"])).exists()
