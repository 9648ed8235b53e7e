"""Media on S3-compatible object storage, over HTTP against a real S3 protocol server on loopback
(moto's server mode), with the SigV4 signing checked against AWS's published example."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest

from fedihub import node as fedihub_node
from fedihub.media import backends, sigv4
from fedihub.media.s3 import S3Config, S3Storage
from fedihub.runtime import Runtime


def test_sigv4_matches_aws_published_get_object_example() -> None:
    # AWS S3 documentation, "Signature Calculations for the Authorization Header",
    # GET Object example
    at = datetime(2013, 5, 24, tzinfo=UTC)
    headers = {
        "host": "examplebucket.s3.amazonaws.com",
        "range": "bytes=0-9",
        "x-amz-date": "20130524T000000Z",
        "x-amz-content-sha256": sigv4.EMPTY_SHA256,
    }
    sig, signed, scope = sigv4.signature(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        headers,
        sigv4.EMPTY_SHA256,
        at=at,
        region="us-east-1",
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    assert sig == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    assert signed == "host;range;x-amz-content-sha256;x-amz-date"
    assert scope == "20130524/us-east-1/s3/aws4_request"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is a test dependency")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


async def test_put_get_delete_and_urls_on_an_s3_server(s3_endpoint: str) -> None:
    store = S3Storage(
        S3Config(endpoint=s3_endpoint, bucket="media", access_key="k", secret_key="s")
    )
    await store.ensure_bucket()
    await store.put("attachments/1/original.png", b"\x89PNG fake", "image/png")
    assert await store.get("attachments/1/original.png") == b"\x89PNG fake"
    async with httpx.AsyncClient() as client:
        public = await client.get(store.url("attachments/1/original.png"))
        assert public.status_code == 200 and public.content == b"\x89PNG fake"
        # a private bucket: the object cannot be read plainly, only through a presigned URL
        signed = S3Storage(replace(store.config, signed_urls=True))
        await signed.put("private/1.png", b"private bytes", "image/png")
        assert (await client.get(signed.object_url("private/1.png"))).status_code == 403
        url = signed.url("private/1.png")
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=3600" in url
        assert (await client.get(url)).content == b"private bytes"
    cdn = S3Storage(replace(store.config, public_url="https://cdn.example.edu/media"))
    assert (
        cdn.url("attachments/1/original.png")
        == "https://cdn.example.edu/media/attachments/1/original.png"
    )
    await store.delete("attachments/1/original.png")
    from fedihub.errors import NotFound

    with pytest.raises(NotFound):
        await store.get("attachments/1/original.png")
    with pytest.raises(ValueError):
        store.object_url("../../etc/passwd")
    await store.aclose()


async def test_a_configured_bucket_makes_uploads_go_to_object_storage(
    rt: Runtime, s3_endpoint: str
) -> None:
    settings = replace(
        rt.settings,
        s3_endpoint=s3_endpoint,
        s3_bucket="uploads",
        s3_access_key="k",
        s3_secret_key="s",
    )
    node = fedihub_node.build(settings, rt.secrets)
    chosen = node.storage
    assert isinstance(chosen, S3Storage)
    await chosen.ensure_bucket()
    await chosen.put("attachments/9/original.jpg", b"jpeg bytes", "image/jpeg")
    assert (
        chosen.url("attachments/9/original.jpg")
        == f"{s3_endpoint}/uploads/attachments/9/original.jpg"
    )
    assert await chosen.get("attachments/9/original.jpg") == b"jpeg bytes"


async def test_media_migrate_copies_to_object_storage_and_back_losing_nothing(
    rt: Runtime, s3_endpoint: str
) -> None:
    from fedihub import models
    from fedihub.accounts import users
    from fedihub.media import migrate

    settings = replace(
        rt.settings,
        s3_endpoint=s3_endpoint,
        s3_bucket="moving",
        s3_access_key="k",
        s3_secret_key="s",
    )
    node = fedihub_node.build(settings, rt.secrets)
    disk = backends.local_disk(node.settings, node.urls)
    await disk.put("attachments/1/original.png", b"attachment", "image/png")
    await disk.put("avatars/7-abc.png", b"avatar", "image/png")
    user = await users.create(node, "ada", "ada@example.org", "correct horse battery staple")
    await models.Actor.filter(id=user.actor_id).update(icon_url=disk.url("avatars/7-abc.png"))
    await models.MediaAttachment.create(
        actor_id=user.actor_id, storage_key="attachments/1/original.png"
    )

    there = await migrate.run(node, to_object_storage=True)
    assert (there.copied, there.failures, there.urls_switched) == (2, [], 1)
    bucket = backends.object_storage(node.settings)
    assert await bucket.get("attachments/1/original.png") == b"attachment"
    assert (await models.Actor.get(id=user.actor_id)).icon_url == bucket.url("avatars/7-abc.png")
    assert await disk.get("avatars/7-abc.png") == b"avatar"  # kept until asked to delete
    again = await migrate.run(node, to_object_storage=True)
    assert (again.copied, again.skipped) == (0, 2)

    back = await migrate.run(node, to_object_storage=False, delete_source=True)
    assert back.failures == [] and back.deleted == 2
    assert (await models.Actor.get(id=user.actor_id)).icon_url == disk.url("avatars/7-abc.png")
    assert await disk.get("attachments/1/original.png") == b"attachment"


async def test_a_remote_media_copy_is_kept_in_object_storage_and_expires_from_it(
    rt: Runtime, s3_endpoint: str
) -> None:
    import io
    from datetime import timedelta

    from PIL import Image

    from fedihub import models
    from fedihub.api.entities.status import media_attachment
    from fedihub.errors import NotFound
    from fedihub.media import probe, remote_cache

    settings = replace(
        rt.settings,
        s3_endpoint=s3_endpoint,
        s3_bucket="cache",
        s3_access_key="k",
        s3_secret_key="s",
    )
    node = fedihub_node.build(settings, rt.secrets)
    bucket = node.storage
    assert isinstance(bucket, S3Storage)
    await bucket.ensure_bucket()
    zoe = await models.Actor.create(
        uri="https://far.example/users/zoe",
        username="zoe",
        domain="far.example",
        inbox="https://far.example/users/zoe/inbox",
    )
    origin = "https://far.example/media/pic.png"
    item = await models.MediaAttachment.create(
        actor_id=zoe.id, remote_url=origin, content_type="image/png"
    )
    picture = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(picture, "PNG")
    data = picture.getvalue()
    kind = probe.sniff(data)
    assert kind is not None
    assert await remote_cache.keep(node, item, remote_cache.Download(data, kind))
    row = await models.MediaAttachment.get(id=item.id)
    assert row.storage_key and await bucket.get(row.storage_key) == data  # nothing to strip
    assert row.preview_key
    with Image.open(io.BytesIO(await bucket.get(row.preview_key))) as preview:
        assert preview.size == (640, 480)
    shown = media_attachment(node, row)
    assert shown["url"] == f"{s3_endpoint}/cache/{row.storage_key}"
    assert shown["preview_url"] == f"{s3_endpoint}/cache/{row.preview_key}"
    assert shown["remote_url"] == origin
    assert shown["meta"]["original"]["width"] == 800 and shown["meta"]["small"]["width"] == 640

    then = datetime.now(UTC) - timedelta(days=8)
    await models.MediaAttachment.filter(id=item.id).update(created_at=then)
    assert await remote_cache.expire(node, older_than=timedelta(days=7)) == 1
    for key in (row.storage_key, row.preview_key):
        with pytest.raises(NotFound):
            await bucket.get(key)
    assert media_attachment(node, await models.MediaAttachment.get(id=item.id))["url"] == origin
    await bucket.aclose()


async def test_uploads_go_to_object_storage_stripped_with_previews_at_once_or_by_the_job(
    rt: Runtime, s3_endpoint: str
) -> None:
    from fedihub import jobs, models
    from fedihub.accounts import users
    from fedihub.media import uploads
    from tests.api.mediakit import opened, photo, secrets_in

    settings = replace(
        rt.settings,
        s3_endpoint=s3_endpoint,
        s3_bucket="photos",
        s3_access_key="k",
        s3_secret_key="s",
        media_inline_pixels=500_000,
    )
    node = fedihub_node.build(settings, rt.secrets)
    bucket = node.storage
    assert isinstance(bucket, S3Storage)
    await bucket.ensure_bucket()
    user = await users.create(node, "ada", "ada@example.org", "correct horse battery staple")
    owner = await models.Actor.get(id=user.actor_id)

    at_once = await uploads.upload(node, owner, photo(800, 600), defer_large=True)
    later = await uploads.upload(node, owner, photo(1200, 900), defer_large=True)
    assert at_once.processing == models.MediaProcessing.COMPLETE
    assert later.processing == models.MediaProcessing.QUEUED and later.preview_key is None
    assert await jobs.drain(node) == 1
    later = await models.MediaAttachment.get(id=later.id)
    assert later.processing == models.MediaProcessing.COMPLETE and later.blurhash
    for item, preview_size in ((at_once, (640, 480)), (later, (640, 480))):
        assert item.storage_key and item.preview_key
        assert secrets_in(await bucket.get(item.storage_key)) == []
        with opened(await bucket.get(item.preview_key)) as preview:
            assert preview.size == preview_size
        async with httpx.AsyncClient() as client:  # served by the bucket, to anyone with the URL
            assert (await client.get(bucket.url(item.preview_key))).status_code == 200
    await bucket.aclose()


async def test_a_restricted_posts_files_are_private_objects_served_only_through_the_node(
    rt: Runtime, s3_endpoint: str
) -> None:
    from fedihub import models
    from fedihub.media import placement

    settings = replace(
        rt.settings,
        s3_endpoint=s3_endpoint,
        s3_bucket="guarded",
        s3_access_key="k",
        s3_secret_key="s",
    )
    node = fedihub_node.build(settings, rt.secrets)
    bucket = node.storage
    assert isinstance(bucket, S3Storage)
    await bucket.ensure_bucket()
    owner = await models.Actor.create(uri="https://fedihub.test/users/ada", username="ada")
    await bucket.put("attachments/tok/original.pdf", b"%PDF-1.7 data", "application/pdf")
    item = await models.MediaAttachment.create(
        actor_id=owner.id,
        kind="unknown",
        content_type="application/pdf",
        storage_key="attachments/tok/original.pdf",
        size=13,
    )
    async with httpx.AsyncClient() as client:
        # Given a public post's file: a plain bucket URL anyone can read
        assert (await client.get(placement.url(node, item.storage_key))).status_code == 200
        # When its post becomes followers-only, the file moves to a private object, and its URL
        # is the node's checking route, never the bucket's
        assert await placement.place(node, [item.id], restricted=True) == 1
        moved = await models.MediaAttachment.get(id=item.id)
        assert moved.storage_key == "restricted/tok/original.pdf"
        assert placement.url(node, moved.storage_key) == (
            "https://fedihub.test/media/restricted/tok/original.pdf"
        )
        assert (await client.get(bucket.object_url(moved.storage_key))).status_code == 403
        assert (await client.get(bucket.object_url(item.storage_key))).status_code in (403, 404)
        assert await bucket.get(moved.storage_key) == b"%PDF-1.7 data"
        # And back when it is public again
        assert await placement.place(node, [item.id], restricted=False) == 1
        back = await models.MediaAttachment.get(id=item.id)
        assert (await client.get(bucket.object_url(back.storage_key))).status_code == 200
    await bucket.aclose()
