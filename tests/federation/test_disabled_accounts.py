"""A disabled account takes no follows and no likes through the shared inbox: nothing is stored,
nobody is notified, no Accept goes out; an enabled one, for comparison, gets all three."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fedihub import jobs, models
from fedihub.accounts import users
from fedihub.runtime import Runtime
from fedihub.security import keys
from fedihub.social import statuses
from fedihub.web.common import RUNTIME_KEY
from tests.federation.mockpeers import fresh_origin, install, signed_post, stored_actor

KEY = keys.generate_private_key()


async def _deliver(client: Any, rt: Runtime, actor: models.Actor, activity: dict[str, Any]) -> None:
    body = json.dumps(activity).encode()
    response = await client.post(
        "/inbox", data=body, headers=signed_post(body, KEY, f"{actor.uri}#main-key")
    )
    assert response.status_code == 202
    await jobs.drain(rt)


@pytest.mark.parametrize("disabled", [True, False], ids=["disabled", "enabled"])
async def test_a_follow_of_a_disabled_account_is_ignored(
    app: Any, client: Any, disabled: bool
) -> None:
    rt: Runtime = app.extensions[RUNTIME_KEY]
    await install(rt)  # deliveries (the Accept) go nowhere
    ada = await users.create(rt, "ada", "ada@uni.example", "correct horse battery staple")
    if disabled:
        await users.set_disabled("ada")
    eve = await stored_actor(f"{fresh_origin()}/users/eve", KEY)
    follow = {
        "id": f"{eve.uri}/follows/1",
        "type": "Follow",
        "actor": eve.uri,
        "object": "https://fedihub.test/users/ada",
    }

    await _deliver(client, rt, eve, follow)

    stored = await models.Follow.filter(target_id=ada.actor_id).exists()
    notified = await models.Notification.filter(recipient_id=ada.actor_id).exists()
    accepted = await models.Job.filter(kind="deliver").exists()
    assert (stored, notified, accepted) == (not disabled,) * 3


@pytest.mark.parametrize("disabled", [True, False], ids=["disabled", "enabled"])
async def test_a_like_of_a_disabled_accounts_status_is_ignored(
    app: Any, client: Any, disabled: bool
) -> None:
    rt: Runtime = app.extensions[RUNTIME_KEY]
    await install(rt)  # deliveries (the Accept) go nowhere
    ada = await users.create(rt, "ada", "ada@uni.example", "correct horse battery staple")
    status = await statuses.create(rt, ada, statuses.Draft("results, at last"))
    if disabled:
        await users.set_disabled("ada")
    eve = await stored_actor(f"{fresh_origin()}/users/eve", KEY)
    like = {"id": f"{eve.uri}/likes/1", "type": "Like", "actor": eve.uri, "object": status.uri}

    await _deliver(client, rt, eve, like)

    stored = await models.Favourite.filter(status_id=status.id).exists()
    notified = await models.Notification.filter(recipient_id=ada.actor_id).exists()
    assert (stored, notified) == (not disabled,) * 2
