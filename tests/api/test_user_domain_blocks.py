"""A user's own domain blocks (/api/v1/domain_blocks): the server's posts leave what that user
is shown (and only theirs), its accounts stop following the user, and the block can be lifted."""

from __future__ import annotations

from typing import Any

from apikit import bearer, json_of, make_token, make_user, remote_actor

from fedihub import models
from fedihub.activitypub import parse
from fedihub.models import FollowState
from fedihub.social import statuses
from fedihub.web.common import RUNTIME_KEY


async def test_a_user_hides_a_server_and_lifts_it_again(app: Any, client: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    ada, kim = await make_user(app, "ada"), await make_user(app, "kim")
    ada_token, kim_token = await make_token(ada), await make_token(kim)
    eve = await remote_actor("eve", "far.example")
    await models.Follow.create(follower=eve, target_id=ada.actor_id, state=FollowState.ACCEPTED)
    note = await statuses.insert_remote(
        rt,
        eve,
        parse.object_doc(
            {
                "id": f"{eve.uri}/notes/1",
                "type": "Note",
                "attributedTo": eve.uri,
                "content": "<p>from far away</p>",
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            }
        ),
    )

    async def public_ids(token: str) -> list[str]:
        got = await json_of(await client.get("/api/v1/timelines/public", headers=bearer(token)))
        return [s["id"] for s in got]

    assert str(note.id) in await public_ids(ada_token)
    await json_of(
        await client.post(
            "/api/v1/domain_blocks", form={"domain": "Far.Example"}, headers=bearer(ada_token)
        )
    )

    listed = await json_of(await client.get("/api/v1/domain_blocks", headers=bearer(ada_token)))
    assert listed == ["far.example"]
    assert str(note.id) not in await public_ids(ada_token)
    assert str(note.id) in await public_ids(kim_token)  # only ada's view changes
    assert not await models.Follow.filter(follower_id=eve.id).exists()
    assert (await models.Actor.get(id=ada.actor_id)).followers_count == 0

    await json_of(
        await client.delete(
            "/api/v1/domain_blocks", form={"domain": "far.example"}, headers=bearer(ada_token)
        )
    )
    assert await json_of(await client.get("/api/v1/domain_blocks", headers=bearer(ada_token))) == []
    assert str(note.id) in await public_ids(ada_token)
    bad = await client.post(
        "/api/v1/domain_blocks", form={"domain": "not a domain"}, headers=bearer(ada_token)
    )
    assert bad.status_code == 422
