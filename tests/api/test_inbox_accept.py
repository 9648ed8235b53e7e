"""Signed POSTs arriving together: each is checked and answered as if alone, and they share their
reads of signers and their writes to hosts."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from test_query_counts import QueryCounter

from fedihub import models
from fedihub.moderation import policy
from fedihub.security import keys
from fedihub.web.common import RUNTIME_KEY
from tests.federation.test_inbox_security import _note_activity, _signed

HOSTS = ("up.example", "down.example")


async def _actor(n: int, key: Any) -> models.Actor:
    domain = HOSTS[n % 2]
    uri = f"https://{domain}/users/a{n}"
    return await models.Actor.create(
        uri=uri,
        username=f"a{n}",
        domain=domain,
        inbox=f"{uri}/inbox",
        public_key_id=f"{uri}#main-key",
        public_key_pem=keys.public_pem(key),
        followers_url=f"{uri}/followers",
    )


async def test_posts_arriving_together_are_each_accepted_and_share_their_statements(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    signer_keys = [keys.generate_private_key() for _ in range(4)]
    actors = [await _actor(n, key) for n, key in enumerate(signer_keys)]
    await models.Host.create(domain="up.example")
    await models.Host.create(domain="down.example", unavailable=True, failure_count=9)
    posts = []
    for i in range(16):
        n = i % len(actors)
        activity = _note_activity(
            actor=actors[n].uri, ident=f"https://{actors[n].domain}/activities/{i}"
        )
        body = json.dumps(activity).encode()
        posts.append((body, _signed(body, signer_keys[n], key_id=actors[n].public_key_id or "")))
    forged = json.dumps(
        _note_activity(actor=actors[0].uri, ident="https://up.example/activities/x")
    ).encode()
    posts.append((forged, _signed(forged, signer_keys[1], key_id=actors[0].public_key_id or "")))

    # a running process holds the domain policy already (read again every few seconds, not per
    # request): load it first, so the count is what the POSTs themselves cost
    await policy.snapshot(client.app.extensions[RUNTIME_KEY])
    with monkeypatch.context() as patch:
        counter = QueryCounter(patch)
        answers = await asyncio.gather(
            *(client.post("/inbox", data=b, headers=h) for b, h in posts)
        )

    assert [a.status_code for a in answers] == [202] * 16 + [401]
    assert [(await a.get_json())["status"] for a in answers[:16]] == ["accepted"] * 16
    assert await models.Job.filter(kind="inbox").count() == 16
    down = await models.Host.get(domain="down.example")
    assert not down.unavailable and down.failure_count == 0  # it spoke to us: deliveries resume
    # alone, each would read its signer, update its host and insert its job: 3 x 16 statements
    # (the forged one reads its signer, then again to look for a rotated key)
    assert counter.count < 2 * 16
