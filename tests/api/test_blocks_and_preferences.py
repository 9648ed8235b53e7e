"""/api/v1/blocks, /api/v1/mutes and /api/v1/preferences."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from apikit import bearer, make_token, make_user, remote_actor

from fedihub import models


async def test_blocks_list_newest_first_with_link_header(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    targets = [await remote_actor(f"troll{i}", "bad.example") for i in range(3)]
    for target in targets:
        response = await client.post(f"/api/v1/accounts/{target.id}/block", headers=bearer(token))
        assert response.status_code == 200
    first = await client.get("/api/v1/blocks?limit=2", headers=bearer(token))
    assert [a["username"] for a in await first.get_json()] == ["troll2", "troll1"]
    next_url = re.search(r'<([^>]+)>; rel="next"', first.headers["Link"]).group(1)  # type: ignore[union-attr]
    rest = await client.get(next_url.removeprefix("https://fedihub.test"), headers=bearer(token))
    assert [a["username"] for a in await rest.get_json()] == ["troll0"]
    assert (
        await client.get("/api/v1/blocks", headers=bearer(await make_token(ada, "read:statuses")))
    ).status_code == 403
    assert (await client.get("/api/v1/blocks")).status_code == 401


async def test_mutes_list_leaves_out_expired_mutes(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    loud = await remote_actor("loud", "x.example")
    past = await remote_actor("past", "x.example")
    await client.post(f"/api/v1/accounts/{loud.id}/mute", headers=bearer(token))
    await models.Mute.create(
        actor_id=ada.actor.id,
        target_id=past.id,
        expires_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    body = await (await client.get("/api/v1/mutes", headers=bearer(token))).get_json()
    assert [a["acct"] for a in body] == ["loud@x.example"]


async def test_preferences_follow_update_credentials(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    before = await (await client.get("/api/v1/preferences", headers=bearer(token))).get_json()
    assert before["posting:default:visibility"] == "public"
    assert before["posting:default:sensitive"] is False
    await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=bearer(token),
        form={"source[privacy]": "private", "source[language]": "zh"},
    )
    after = await (await client.get("/api/v1/preferences", headers=bearer(token))).get_json()
    assert after["posting:default:visibility"] == "private"
    assert after["posting:default:language"] == "zh"
