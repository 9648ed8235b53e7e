"""Boosts never reach further than what they boost (issue 11, items 1 and 2).

A remote Announce is accepted only of a public or unlisted status, or of the signer's own status
(Mastodon's ActivityPub::Activity::Announce#announceable?), at the level its audience says; a
local boost of a direct status is refused, and a self-boost of a followers-only or institution-only
status keeps that level (Mastodon's ReblogService). Whatever got in, a boost whose original the
viewer may not see is left out everywhere, never rendered with its original embedded.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from apikit import bearer, json_of, make_token, make_user, post_status, remote_actor

from fedihub import jobs, models
from fedihub.activitypub import signatures
from fedihub.ids import new_id
from fedihub.inbox.receive import INBOX_JOB
from fedihub.models import FollowState, Visibility
from fedihub.security import keys
from fedihub.web.common import RUNTIME_KEY

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
SECRET = "hushhush"


@pytest.fixture(scope="module")
def remote_key() -> Any:
    return keys.generate_private_key()


async def _remote(username: str, domain: str, key: Any) -> models.Actor:
    base = f"https://{domain}/users/{username}"
    return await models.Actor.create(
        uri=base,
        username=username,
        domain=domain,
        inbox=f"{base}/inbox",
        shared_inbox=f"https://{domain}/inbox",
        public_key_id=f"{base}#main-key",
        public_key_pem=keys.public_pem(key),
        followers_url=f"{base}/followers",
    )


async def _deliver(client: Any, signer: models.Actor, key: Any, activity: dict[str, Any]) -> None:
    """POST a signed activity to the shared inbox, then run the inbox jobs it queued."""
    body = json.dumps(activity).encode()
    headers = {"Content-Type": "application/activity+json", "Host": "fedihub.test"}
    headers.update(
        signatures.sign_cavage(
            "POST", "https://fedihub.test/inbox", headers, body, signer.public_key_id or "", key
        )
    )
    response = await client.post("/inbox", data=body, headers=headers)
    assert response.status_code == 202, await response.get_data()
    await jobs.drain(client.app.extensions[RUNTIME_KEY], kinds=[INBOX_JOB])


def _announce(signer: models.Actor, obj: str, n: int, *, to: list[str] | None = None) -> Any:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{signer.uri}/statuses/{n}/activity",
        "type": "Announce",
        "actor": signer.uri,
        "published": "2024-05-01T12:00:00Z",
        "to": [PUBLIC] if to is None else to,
        "cc": [signer.followers_url],
        "object": obj,
    }


async def _text(client: Any, path: str, token: str | None = None) -> str:
    response = await client.get(path, headers=bearer(token) if token else {})
    assert response.status_code in (200, 401, 404), (path, response.status_code)
    return str(await response.get_data(as_text=True))


@pytest.mark.parametrize("level", ["private", "direct", "institution"])
async def test_a_remote_announce_of_a_non_public_local_status_is_refused_and_leaks_nowhere(
    client: Any, remote_key: Any, level: str
) -> None:
    # Given ada's non-public status, and bob (local) who follows eve (remote)
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    eve = await _remote("eve", "evil.example", remote_key)
    await models.Follow.create(follower=bob.actor, target=eve, state=FollowState.ACCEPTED)
    secret_id = await post_status(client, ada_t, status=f"{SECRET} draft", visibility=level)
    secret = await models.Status.get(id=int(secret_id))

    # When eve, who learned its URI, announces it to the world
    await _deliver(client, eve, remote_key, _announce(eve, secret.uri, 1))

    # Then no boost is stored, and the text reaches neither anonymous readers nor eve's followers
    assert not await models.Status.filter(reblog_of_id=secret.id).exists()
    assert SECRET not in await _text(client, f"/api/v1/accounts/{eve.id}/statuses")
    assert SECRET not in await _text(client, "/api/v1/timelines/home", bob_t)
    assert SECRET not in await _text(client, f"/api/v2/search?q={secret.uri}")
    assert not await models.Notification.filter(kind="reblog", status_id=secret.id).exists()


async def test_an_announce_of_a_stored_remote_followers_only_status_by_a_third_party_is_refused(
    client: Any, remote_key: Any
) -> None:
    # Given zed's followers-only post, stored because bob follows zed, and cy who follows eve
    bob, cy = await make_user(client.app, "bob"), await make_user(client.app, "cy")
    bob_t, cy_t = await make_token(bob), await make_token(cy)
    zed = await _remote("zed", "far.example", remote_key)
    eve = await _remote("eve", "evil.example", remote_key)
    await models.Follow.create(follower=bob.actor, target=zed, state=FollowState.ACCEPTED)
    await models.Follow.create(follower=cy.actor, target=eve, state=FollowState.ACCEPTED)
    note = {
        "id": f"{zed.uri}/notes/1",
        "type": "Note",
        "attributedTo": zed.uri,
        "content": f"<p>{SECRET} for my followers</p>",
        "to": [zed.followers_url],
        "cc": [],
    }
    create = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{zed.uri}/notes/1/activity",
        "type": "Create",
        "actor": zed.uri,
        "to": [zed.followers_url],
        "object": note,
    }
    await _deliver(client, zed, remote_key, create)
    stored = await models.Status.get(uri=note["id"])
    assert stored.visibility is Visibility.PRIVATE
    assert SECRET in await _text(client, "/api/v1/timelines/home", bob_t)

    # When eve announces it
    await _deliver(client, eve, remote_key, _announce(eve, note["id"], 1))

    # Then nothing of it reaches eve's followers or anonymous readers
    assert not await models.Status.filter(reblog_of_id=stored.id).exists()
    assert SECRET not in await _text(client, "/api/v1/timelines/home", cy_t)
    assert SECRET not in await _text(client, f"/api/v1/accounts/{eve.id}/statuses")


async def test_a_remote_self_boost_of_a_followers_only_status_stays_followers_only(
    client: Any, remote_key: Any
) -> None:
    # Given zed's followers-only post, which bob (a follower) holds
    bob = await make_user(client.app, "bob")
    bob_t = await make_token(bob)
    zed = await _remote("zed", "far.example", remote_key)
    await models.Follow.create(follower=bob.actor, target=zed, state=FollowState.ACCEPTED)
    original = await models.Status.create(
        uri=f"{zed.uri}/notes/1",
        actor=zed,
        visibility=Visibility.PRIVATE,
        content=f"<p>{SECRET}</p>",
        published=datetime.now(UTC),
    )

    # When zed boosts it, addressed (wrongly or not) to the public
    await _deliver(client, zed, remote_key, _announce(zed, original.uri, 2))

    # Then the boost is stored followers-only: bob sees it, an anonymous reader does not
    boost = await models.Status.get(reblog_of_id=original.id)
    assert boost.visibility is Visibility.PRIVATE
    assert SECRET not in await _text(client, f"/api/v1/accounts/{zed.id}/statuses")
    timeline = await json_of(
        await client.get(f"/api/v1/accounts/{zed.id}/statuses", headers=bearer(bob_t))
    )
    by_id = {s["id"]: s for s in timeline}
    assert by_id.keys() == {str(boost.id), str(original.id)}
    assert by_id[str(boost.id)]["reblog"]["content"] == f"<p>{SECRET}</p>"


async def test_a_remote_announce_takes_the_level_its_audience_gives(
    client: Any, remote_key: Any
) -> None:
    ada = await make_user(client.app, "ada")
    ada_t = await make_token(ada)
    eve = await _remote("eve", "evil.example", remote_key)
    public_id = await post_status(client, ada_t, status="open results")
    unlisted_id = await post_status(client, ada_t, status="quiet results", visibility="unlisted")
    public = await models.Status.get(id=int(public_id))
    unlisted = await models.Status.get(id=int(unlisted_id))

    await _deliver(client, eve, remote_key, _announce(eve, public.uri, 1))
    await _deliver(client, eve, remote_key, _announce(eve, unlisted.uri, 2, to=[eve.followers_url]))

    levels = dict(
        await models.Status.filter(actor_id=eve.id).values_list("reblog_of_id", "visibility")
    )
    assert levels == {public.id: Visibility.PUBLIC, unlisted.id: Visibility.PRIVATE}
    notified = await models.Notification.filter(kind="reblog", recipient_id=ada.actor_id).count()
    assert notified == 2


async def test_boosting_a_direct_status_is_refused_even_ones_own(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    secret = await post_status(client, token, status=f"@ada {SECRET}", visibility="direct")
    response = await client.post(f"/api/v1/statuses/{secret}/reblog", headers=bearer(token))
    assert response.status_code == 403
    assert await response.get_json() == {"error": "This action is not allowed"}
    assert not await models.Status.filter(reblog_of_id=int(secret)).exists()


@pytest.mark.parametrize("level", ["private", "institution"])
async def test_a_self_boost_keeps_the_level_of_what_it_boosts(client: Any, level: str) -> None:
    # Given ada's non-public status, and bob (here) and zoe (elsewhere) who follow her
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    zoe = await remote_actor("zoe", "far.example")
    for follower in (bob.actor, zoe):
        await models.Follow.create(follower=follower, target=ada.actor, state=FollowState.ACCEPTED)
    secret = await post_status(client, ada_t, status=f"{SECRET} draft", visibility=level)
    sent_before = await models.OutboxActivity.all().count()

    # When she boosts it as Tusky does, with no visibility (or asking for public)
    boost = await json_of(
        await client.post(f"/api/v1/statuses/{secret}/reblog", headers=bearer(ada_t))
    )
    again = await json_of(
        await client.post(
            f"/api/v1/statuses/{secret}/reblog",
            json={"visibility": "public"},
            headers=bearer(ada_t),
        )
    )

    # Then the boost has the original's level: bob sees it, an anonymous reader does not
    stored = await models.Status.get(id=int(boost["id"]))
    assert stored.visibility is Visibility(level) and again["id"] == boost["id"]
    assert boost["visibility"] == "private"  # clients know four levels
    assert SECRET not in await _text(client, f"/api/v1/accounts/{ada.actor_id}/statuses")
    assert SECRET not in await _text(client, f"/api/v1/statuses/{boost['id']}")
    shown = await json_of(
        await client.get(f"/api/v1/statuses/{boost['id']}", headers=bearer(bob_t))
    )
    assert shown["reblog"]["id"] == secret
    sent = await models.OutboxActivity.filter(uri=stored.uri).first()
    if level == "institution":  # it never leaves the node
        assert sent is None and await models.OutboxActivity.all().count() == sent_before
    else:  # it goes to her followers only, addressed to them
        assert sent is not None
        announce = json.loads(sent.body)
        assert PUBLIC not in announce["to"] + announce["cc"]
        assert announce["to"] == [ada.actor.followers_url]


async def test_a_boost_of_a_public_status_cannot_be_direct(client: Any) -> None:
    ada, bob = await make_user(client.app, "ada"), await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    open_id = await post_status(client, ada_t, status="open results")
    response = await client.post(
        f"/api/v1/statuses/{open_id}/reblog", json={"visibility": "direct"}, headers=bearer(bob_t)
    )
    assert response.status_code == 422
    assert "visibility" in (await response.get_json())["error"]
    unlisted = await json_of(
        await client.post(
            f"/api/v1/statuses/{open_id}/reblog",
            json={"visibility": "unlisted"},
            headers=bearer(bob_t),
        )
    )
    assert unlisted["visibility"] == "unlisted"


async def test_a_boost_that_got_in_never_shows_an_original_the_viewer_may_not_see(
    client: Any,
) -> None:
    # Given a public boost row of ada's followers-only status (as an old bug stored them), by rob
    # whom cy follows; bob follows ada
    ada, bob, cy, rob = [await make_user(client.app, n) for n in ("ada", "bob", "cy", "rob")]
    ada_t, bob_t, cy_t = await make_token(ada), await make_token(bob), await make_token(cy)
    await models.Follow.create(follower=bob.actor, target=ada.actor, state=FollowState.ACCEPTED)
    await models.Follow.create(follower=bob.actor, target=rob.actor, state=FollowState.ACCEPTED)
    await models.Follow.create(follower=cy.actor, target=rob.actor, state=FollowState.ACCEPTED)
    secret = await post_status(client, ada_t, status=f"{SECRET} draft", visibility="private")
    boost_id = new_id()
    await models.Status.create(
        id=boost_id,
        uri=f"{rob.actor.uri}/statuses/{boost_id}/activity",
        actor=rob.actor,
        local=True,
        object_type="Announce",
        visibility=Visibility.PUBLIC,
        reblog_of_id=int(secret),
        published=datetime.now(UTC),
    )

    # Then neither anonymous readers nor cy see it anywhere; bob, who may read the original, does
    for token in (None, cy_t):
        for path in (
            f"/api/v1/accounts/{rob.actor_id}/statuses",
            f"/api/v1/statuses/{boost_id}",
            "/api/v1/timelines/home",
            "/api/v1/timelines/public",
        ):
            assert SECRET not in await _text(client, path, token), (path, token)
    assert (await client.get(f"/api/v1/statuses/{boost_id}")).status_code == 404
    home = await json_of(await client.get("/api/v1/timelines/home", headers=bearer(bob_t)))
    assert str(boost_id) in [s["id"] for s in home]
