"""The projects' inbox handlers with peers' activities as they arrive (signature checked, signer
= actor): forged and late acceptances refused, Mobilizon's Member form and ForgeFed's mirrored
Invite read, invitations believed only from the project's own node."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from apikit import bearer, json_of, make_token, make_user, remote_actor

from fedihub import models
from fedihub.activitypub import parse
from fedihub.errors import Forbidden
from fedihub.projects import inbox
from fedihub.web.common import RUNTIME_KEY

P = "/api/fedihub/v1/projects"


async def _known(username: str, domain: str, **kw: Any) -> models.Actor:
    # fetched just now: resolving it needs no network
    return await remote_actor(username, domain, fetched_at=datetime.now(UTC), **kw)


async def _invite_bob(app: Any) -> tuple[Any, dict[str, Any], models.Actor]:
    client = app.test_client()
    ada = await make_user(app, "ada")
    token = await make_token(ada)
    bob = await _known("bob", "b.example")
    project = await json_of(
        await client.post(P, json={"handle": "graphene", "name": "G"}, headers=bearer(token))
    )
    invitation = await json_of(
        await client.post(
            f"{P}/{project['id']}/invitations",
            json={"account": "bob@b.example"},
            headers=bearer(token),
        )
    )
    row = await models.ProjectInvitation.get(id=int(invitation["id"]))
    return client, {"project": project, "uri": row.uri, "token": token, "id": row.id}, bob


def _activity(kind: str, actor: models.Actor, obj: Any, **extra: Any) -> parse.Activity:
    return parse.activity(
        {
            "id": f"{actor.uri}/activities/{kind.lower()}/1",
            "type": kind,
            "actor": actor.uri,
            "object": obj,
            **extra,
        }
    )


async def test_a_forged_acceptance_is_refused_and_changes_nothing(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    _client, sent, bob = await _invite_bob(app)
    eve = await _known("eve", "b.example")

    with pytest.raises(Forbidden):
        await inbox.on_accept_or_reject(rt, eve, _activity("Accept", eve, sent["uri"]))

    row = await models.ProjectInvitation.get(id=sent["id"])
    assert row.state is models.InvitationState.PENDING
    assert not await models.ProjectMember.filter(actor_id=eve.id).exists()


async def test_mobilizon_member_form_accepts_and_a_withdrawn_one_is_refused(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    client, sent, bob = await _invite_bob(app)
    member = {"type": "Member", "actor": bob.uri, "object": sent["project"]["uri"]}

    await inbox.on_accept_or_reject(rt, bob, _activity("Accept", bob, member))

    row = await models.ProjectInvitation.get(id=sent["id"])
    assert row.state is models.InvitationState.ACCEPTED
    member_row = await models.ProjectMember.get(actor_id=bob.id)
    assert member_row.role is models.ProjectRole.MEMBER

    # a second invitation, withdrawn, then accepted: refused
    cat = await _known("cat", "c.example")
    again = await json_of(
        await client.post(
            f"{P}/{sent['project']['id']}/invitations",
            json={"account": "cat@c.example"},
            headers=bearer(sent["token"]),
        )
    )
    await json_of(
        await client.delete(
            f"/api/fedihub/v1/invitations/{again['id']}", headers=bearer(sent["token"])
        )
    )
    withdrawn = await models.ProjectInvitation.get(id=int(again["id"]))
    with pytest.raises(Forbidden):
        await inbox.on_accept_or_reject(rt, cat, _activity("Accept", cat, withdrawn.uri))
    assert not await models.ProjectMember.filter(actor_id=cat.id).exists()


async def test_forgefed_mirrored_invite_is_kept_and_shown_to_the_invitee(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    client = app.test_client()
    ada = await make_user(app, "ada")
    group = await _known("tools", "forge.example", actor_type="Group", display_name="Tools")
    inviter = await _known("vera", "forge.example")

    await inbox.on_invite(
        rt,
        inviter,
        _activity(
            "Invite",
            inviter,
            ada.actor.uri,
            target=group.uri,
            instrument="maintain",
            content="<p>Come <b>along</b></p>",
        ),
    )

    shown = await json_of(
        await client.get("/api/fedihub/v1/invitations", headers=bearer(await make_token(ada)))
    )
    assert len(shown) == 1
    assert shown[0]["role"] == "maintainer" and shown[0]["state"] == "pending"
    assert shown[0]["message"] == "Come along"
    assert shown[0]["project"]["acct"] == "tools@forge.example"
    assert shown[0]["project"]["local"] is False


async def test_an_invitation_from_another_node_than_the_projects_is_refused(app: Any) -> None:
    rt = app.extensions[RUNTIME_KEY]
    ada = await make_user(app, "ada")
    group = await _known("tools", "forge.example", actor_type="Group")
    mallory = await _known("mallory", "evil.example")

    with pytest.raises(Forbidden):
        await inbox.on_invite(
            rt, mallory, _activity("Invite", mallory, group.uri, target=ada.actor.uri)
        )
    assert not await models.ProjectInvitation.exists()
