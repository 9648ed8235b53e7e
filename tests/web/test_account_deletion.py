"""Deleting one's own account (/settings/migration): the password confirms it; at once she is
signed out, her tokens stop, her posts and actor are gone for visitors and peers get a Delete of
the actor; then the job deletes posts, media files, follows and profile, and her key once the
Delete has been delivered. Her username is not given again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pagekit import PASSWORD, make_user, page_token, sign_in

from fedihub import errors, jobs, models
from fedihub.accounts import oauth, users
from fedihub.moderation import deletion
from fedihub.web.common import RUNTIME_KEY

AS = {"Accept": "application/activity+json"}


async def test_deleting_ones_account_deletes_and_federates(client: Any, app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    ada, zoe = await make_user(app, "ada"), await make_user(app, "zoe")
    ada_actor = await models.Actor.get(id=ada.actor_id)
    far = await models.Actor.create(
        uri="https://far.example/users/ivy",
        username="ivy",
        domain="far.example",
        inbox="https://far.example/users/ivy/inbox",
        shared_inbox="https://far.example/inbox",
    )
    for follower in (zoe.actor_id, far.id):
        await models.Follow.create(
            follower_id=follower, target_id=ada.actor_id, state=models.FollowState.ACCEPTED
        )
    await models.Follow.create(
        follower_id=ada.actor_id, target_id=zoe.actor_id, state=models.FollowState.ACCEPTED
    )
    app_row, _ = await oauth.create_app("t", [oauth.OOB], "read write", "https://a.example")
    token, _ = await oauth.issue_token(app_row, ada.id, ["read", "write"])
    bearer = {"Authorization": f"Bearer {token}"}
    posted = await client.post("/api/v1/statuses", json={"status": "bye"}, headers=bearer)
    status_id = (await posted.get_json())["id"]
    await rt.storage.put("m1/original.png", b"png", "image/png")
    await models.MediaAttachment.create(
        actor_id=ada.actor_id, status_id=int(status_id), storage_key="m1/original.png"
    )

    # a wrong password deletes nothing
    await sign_in(client, "ada")
    csrf = await page_token(client, "/settings/migration")
    wrong = await client.post(
        "/settings/migration/delete", form={"password": "nope", "csrf_token": csrf}
    )
    assert wrong.status_code == 422
    assert "the password is wrong" in await wrong.get_data(as_text=True)
    assert (await models.Actor.get(id=ada.actor_id)).deleted_at is None

    # When ada confirms with her password
    done = await client.post(
        "/settings/migration/delete", form={"password": PASSWORD, "csrf_token": csrf}
    )
    assert done.status_code == 303

    # Then at once: signed out, token refused, actor and post gone, peers sent a Delete
    assert (await client.get("/settings/migration")).status_code in (302, 303)
    assert (
        await client.get("/api/v1/accounts/verify_credentials", headers=bearer)
    ).status_code == 401
    assert (await client.get("/users/ada", headers=AS)).status_code in (404, 410)
    assert (await client.get(f"/api/v1/statuses/{status_id}")).status_code == 404
    with pytest.raises(errors.FedihubError):
        await users.authenticate("ada", PASSWORD)
    delete = await models.OutboxActivity.get(uri=f"{ada_actor.uri}#delete")
    body = json.loads(delete.body)
    assert (body["type"], body["actor"], body["object"]) == ("Delete", ada_actor.uri, ada_actor.uri)
    deliveries = models.Job.filter(kind="deliver", dedupe_key__startswith=f"deliver:{delete.id}:")
    assert await deliveries.values_list("payload", flat=True) == [
        {"activity": delete.id, "inbox": "https://far.example/inbox"}
    ]

    # the job deletes her data; her key stays while the Delete is on its way
    await jobs.drain(rt, kinds=[deletion.KIND])
    assert not await models.Status.filter(actor_id=ada.actor_id).exists()
    assert not await models.MediaAttachment.filter(actor_id=ada.actor_id).exists()
    with pytest.raises(Exception):  # noqa: B017 - whichever error the backend raises
        await rt.storage.get("m1/original.png")
    assert not await models.Follow.filter(target_id=ada.actor_id).exists()
    assert not await models.Follow.filter(follower_id=ada.actor_id).exists()
    zoe_actor = await models.Actor.get(id=zoe.actor_id)
    assert zoe_actor.following_count == 0 and zoe_actor.followers_count == 0
    assert (await models.User.get(id=ada.id)).private_key_sealed != ""

    # once delivered, the key goes too, and so do her e-mail and password
    await deliveries.update(state=models.JobState.DONE)
    await deletion.purge(rt, {"actor": ada.actor_id, "data_gone": True})
    gone = await models.User.get(id=ada.id)
    assert gone.private_key_sealed == "" and gone.password_hash == ""
    assert gone.email.endswith("@invalid")
    assert not await models.OutboxActivity.filter(actor_id=ada.actor_id).exists()
    tomb = await models.Actor.get(id=ada.actor_id)
    assert tomb.deleted_at is not None and tomb.public_key_pem == "" and tomb.display_name == ""

    # the username is not given again
    with pytest.raises(errors.FedihubError):
        await users.create(rt, "ada", "new-ada@uni.example", PASSWORD)
    assert tomb.deleted_at <= datetime.now(UTC)
