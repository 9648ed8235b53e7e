"""The node's policy towards other servers: suspended servers are refused in and out and what is
stored of them goes, silenced ones reach only followers, allowlist mode talks only to listed
peers, blocklists round-trip through Mastodon's CSV, and the public list obeys its setting."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from apikit import bearer, make_token, make_user, post_status, set_setting

from fedihub import jobs, models
from fedihub.activitypub import parse
from fedihub.media import remote_cache
from fedihub.models import FollowState, JobState, Severity
from fedihub.moderation import domains, policy
from fedihub.runtime import Runtime
from fedihub.security import keys
from fedihub.social import statuses
from fedihub.web.common import RUNTIME_KEY
from tests.federation.mockpeers import (
    PUBLIC,
    create_note,
    fresh_origin,
    install,
    signed_get,
    signed_post,
    stored_actor,
)

KEY = keys.generate_private_key()
SUSPEND = domains.BlockSpec(severity=Severity.SUSPEND)
SILENCE = domains.BlockSpec(severity=Severity.SILENCE)


def _rt(app: Any) -> Runtime:
    runtime: Runtime = app.extensions[RUNTIME_KEY]
    return runtime


async def _remote(name: str = "eve") -> models.Actor:
    return await stored_actor(f"{fresh_origin()}/users/{name}", KEY)


async def _note(rt: Runtime, author: models.Actor, n: int) -> models.Status:
    doc = parse.object_doc(
        {
            "id": f"{author.uri}/notes/{n}",
            "type": "Note",
            "attributedTo": author.uri,
            "content": f"<p>remote note {n}</p>",
            "published": "2026-01-01T12:00:00Z",
            "to": [PUBLIC],
        }
    )
    return await statuses.insert_remote(rt, author, doc)


async def test_a_suspended_servers_activities_are_refused_before_its_key_is_fetched(
    app: Any, client: Any
) -> None:
    rt = _rt(app)
    network = await install(rt)
    eve = f"{fresh_origin()}/users/eve"  # unknown here: a key fetch would be needed
    await domains.block(rt, parse.host_of(eve), SUSPEND)
    body = create_note(eve)

    response = await client.post("/inbox", data=body, headers=signed_post(body, KEY, f"{eve}#k"))

    assert response.status_code == 403
    assert network.fetched == []
    assert not await models.Job.filter(kind="inbox").exists()


async def test_a_suspended_servers_signed_fetch_and_subdomains_are_refused(
    app: Any, client: Any
) -> None:
    rt = _rt(app)
    await install(rt)
    await make_user(app, "ada")
    origin = fresh_origin()
    eve = await stored_actor(f"https://social.{origin.split('://')[1]}/users/eve", KEY)
    assert (
        await client.get("/users/ada", headers=signed_get("/users/ada", KEY, eve.public_key_id))
    ).status_code == 200

    await domains.block(rt, origin.split("://")[1], SUSPEND)  # the parent domain

    refused = await client.get(
        "/users/ada", headers=signed_get("/users/ada", KEY, eve.public_key_id)
    )
    assert refused.status_code == 403


async def test_nothing_is_delivered_to_a_suspended_server(app: Any, client: Any) -> None:
    rt = _rt(app)
    await install(rt)
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    eve, kim = await _remote("eve"), await _remote("kim")
    for follower in (eve, kim):
        await models.Follow.create(
            follower=follower, target_id=ada.actor_id, state=FollowState.ACCEPTED
        )
    await post_status(client, token, status="before the block")
    queued_before = await models.Job.filter(kind="deliver").count()
    assert queued_before == 2

    await domains.block(rt, eve.domain or "", SUSPEND)
    await post_status(client, token, status="after the block")

    inboxes = [
        json.loads(json.dumps(j.payload))["inbox"] for j in await models.Job.filter(kind="deliver")
    ]
    assert sum(inbox == eve.inbox for inbox in inboxes) == 1  # only the one queued before
    await jobs.drain(rt)
    to_eve = [j for j in await models.Job.filter(kind="deliver") if j.payload["inbox"] == eve.inbox]
    assert to_eve and all(j.state is JobState.DEAD for j in to_eve)
    assert "blocked" in (to_eve[0].last_error or "")


async def test_a_suspension_drops_everything_stored_of_the_server(app: Any, client: Any) -> None:
    rt = _rt(app)
    await install(rt)
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    mine = await post_status(client, token, status="my results")
    eve = await _remote("eve")
    theirs = await _note(rt, eve, 1)
    await models.Follow.create(follower=eve, target_id=ada.actor_id, state=FollowState.ACCEPTED)
    await models.Favourite.create(actor=eve, status_id=int(mine))
    await models.Bookmark.create(actor_id=ada.actor_id, status_id=theirs.id)
    await models.Actor.filter(id=ada.actor_id).update(followers_count=1)
    await models.Status.filter(id=int(mine)).update(favourites_count=1)
    unrelated = await _note(rt, await _remote("kim"), 2)

    await domains.block(rt, eve.domain or "", SUSPEND)
    await jobs.drain(rt)

    assert not await models.Actor.filter(domain=eve.domain).exists()
    assert not await models.Status.filter(id=theirs.id).exists()
    assert not await models.Bookmark.filter(status_id=theirs.id).exists()
    assert await models.Status.filter(id=unrelated.id).exists()
    ada_actor = await models.Actor.get(id=ada.actor_id)
    assert ada_actor.followers_count == 0
    assert (await models.Status.get(id=int(mine))).favourites_count == 0


async def test_a_silenced_servers_posts_reach_only_followers(app: Any, client: Any) -> None:
    rt = _rt(app)
    ada, kim = await make_user(app, "ada"), await make_user(app, "kim")
    ada_token, kim_token = await make_token(ada), await make_token(kim)
    eve = await _remote("eve")
    await models.Follow.create(follower_id=ada.actor_id, target=eve, state=FollowState.ACCEPTED)
    status = await _note(rt, eve, 1)

    async def ids(path: str, token: str) -> list[str]:
        response = await client.get(path, headers=bearer(token))
        assert response.status_code == 200
        return [s["id"] for s in await response.get_json()]

    assert str(status.id) in await ids("/api/v1/timelines/public", kim_token)
    await domains.block(rt, eve.domain or "", SILENCE)

    assert str(status.id) not in await ids("/api/v1/timelines/public", kim_token)
    assert str(status.id) in await ids("/api/v1/timelines/public", ada_token)  # a follower
    assert str(status.id) in await ids("/api/v1/timelines/home", ada_token)
    found = await client.get(
        "/api/v2/search?q=remote+note&type=statuses", headers=bearer(kim_token)
    )
    assert (await found.get_json())["statuses"] == []
    # nothing else is refused: a silenced server still talks with the node
    assert not await policy.is_refused(rt, eve.domain or "")


async def test_allowlist_mode_talks_only_with_listed_servers(app: Any, client: Any) -> None:
    rt = _rt(app)
    await install(rt)
    ada = await make_user(app, "ada")
    listed, unlisted = await _remote("lee"), await _remote("una")
    for follower in (listed, unlisted):
        await models.Follow.create(
            follower=follower, target_id=ada.actor_id, state=FollowState.ACCEPTED
        )
    await domains.allow(rt, listed.domain or "")
    await set_setting("allowlist_mode", True)

    for actor, expected in ((listed, 202), (unlisted, 403)):
        body = create_note(actor.uri)
        answer = await client.post(
            "/inbox", data=body, headers=signed_post(body, KEY, actor.public_key_id or "")
        )
        assert answer.status_code == expected
    await post_status(client, await make_token(ada), status="for listed servers only")

    inboxes = {j.payload["inbox"] for j in await models.Job.filter(kind="deliver")}
    assert inboxes == {listed.inbox}


async def test_a_blocklist_round_trips_through_mastodons_csv(app: Any) -> None:
    rt = _rt(app)
    text = (
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
        "spam.example,suspend,true,true,Spam,false\n"
        "noisy.example,silence,false,false,,true\n"
        "bad severity.example,suspend,false,false,,false\n"
        "odd.example,loud,false,false,,false\n"
        "\n"
        "Bücher.example,noop,true,false,Media only,false\n"
    )
    result = await domains.import_csv(rt, text)
    assert result.imported == 3
    assert [number for number, _ in result.skipped] == [4, 5]

    exported = await domains.export_csv()
    assert exported.splitlines() == [
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate",
        "noisy.example,silence,false,false,,true",
        "spam.example,suspend,true,true,Spam,false",
        "xn--bcher-kva.example,noop,true,false,Media only,false",
    ]
    await models.DomainBlock.all().delete()
    again = await domains.import_csv(rt, exported)
    assert again.imported == 3 and again.skipped == []
    assert await domains.export_csv() == exported
    # a plain list of domains (Mastodon's older format) suspends them
    plain = await domains.import_csv(rt, "one.example\ntwo.example\n")
    assert plain.imported == 2
    two = await models.DomainBlock.get(domain="two.example")
    assert two.severity is Severity.SUSPEND


async def test_the_public_list_of_moderated_servers_obeys_its_setting(
    app: Any, client: Any
) -> None:
    rt = _rt(app)
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    await domains.block(
        rt, "spam.example", domains.BlockSpec(public_comment="spam", obfuscate=True)
    )
    await domains.block(
        rt, "media.example", domains.BlockSpec(severity=Severity.NOOP, reject_media=True)
    )

    assert (await client.get("/api/v1/instance/domain_blocks")).status_code == 404  # users only
    listed = await (
        await client.get("/api/v1/instance/domain_blocks", headers=bearer(token))
    ).get_json()
    assert listed == [
        {
            "domain": "spa*.****ple",
            "digest": hashlib.sha256(b"spam.example").hexdigest(),
            "severity": "suspend",
            "comment": "spam",
        }
    ]
    await set_setting("show_domain_blocks", "all")
    assert (await client.get("/api/v1/instance/domain_blocks")).status_code == 200
    await set_setting("show_domain_blocks", "disabled")
    assert (
        await client.get("/api/v1/instance/domain_blocks", headers=bearer(token))
    ).status_code == 404


async def test_media_of_a_server_rejecting_media_is_not_copied(app: Any) -> None:
    rt = _rt(app)
    network = await install(rt)
    eve = await _remote("eve")
    status = await _note(rt, eve, 1)
    media = await models.MediaAttachment.create(
        actor_id=eve.id, status_id=status.id, remote_url=f"{eve.uri}/media/1.png"
    )
    await domains.block(
        rt, eve.domain or "", domains.BlockSpec(severity=Severity.NOOP, reject_media=True)
    )

    await jobs.enqueue(rt, remote_cache.KIND, {"media_id": media.id})
    await jobs.drain(rt)

    assert network.fetched == []
    assert (await models.MediaAttachment.get(id=media.id)).storage_key is None
