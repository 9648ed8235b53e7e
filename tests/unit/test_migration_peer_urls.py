"""Migration 0006 clears the non-http(s) URLs peers left in the database before the parser kept
only http(s) ones, and leaves local rows and good URLs alone."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

from tortoise import Tortoise

from fedihub import models
from fedihub.accounts import users
from fedihub.runtime import Runtime

MIGRATION = importlib.import_module("fedihub.migrations.0006_peer_urls_http_only")
EVIL = "JavaScript:alert(1)"


async def test_peer_urls_that_are_not_http_are_cleared(rt: Runtime) -> None:
    zoe = await models.Actor.create(
        uri="https://peer.example/users/zoe",
        username="zoe",
        domain="peer.example",
        inbox="https://peer.example/users/zoe/inbox",
        url=EVIL,
        icon_url="data:image/png;base64,AAAA",
        header_url="https://peer.example/header.png",
        followers_url=EVIL,
    )
    ada = await users.create(rt, "ada", "ada@uni.example", "correct horse battery staple")
    status = await models.Status.create(
        uri="https://peer.example/notes/1",
        url=EVIL,
        actor=zoe,
        local=False,
        content="",
        published=datetime.now(UTC),
    )
    bad = await models.MediaAttachment.create(actor_id=zoe.id, status_id=status.id, remote_url=EVIL)
    good = await models.MediaAttachment.create(
        actor_id=zoe.id, status_id=status.id, remote_url="https://peer.example/a.png"
    )

    connection = Tortoise.get_connection("default")
    for statement in MIGRATION.STATEMENTS:
        await connection.execute_query(statement)

    zoe = await models.Actor.get(id=zoe.id)
    assert (zoe.url, zoe.icon_url, zoe.followers_url) == (None, None, None)
    assert zoe.header_url == "https://peer.example/header.png"
    assert (await models.Status.get(id=status.id)).url == status.uri
    kept = await models.MediaAttachment.filter(status_id=status.id).values_list("id", flat=True)
    assert list(kept) == [good.id] and bad.id not in kept
    local = await models.Actor.get(id=ada.actor_id)
    assert local.url and local.url.startswith("https://fedihub.test/")
