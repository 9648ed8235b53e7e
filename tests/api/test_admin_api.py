"""The Mastodon admin API: who may use it (admin scopes, and the admin or moderator role), domain
blocks and allows, accounts and their actions in Mastodon's shapes, each action in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from apikit import bearer, json_of, make_token, make_user, post_status, remote_actor
from test_entity_shapes import check

from fedihub import models
from fedihub.models import FollowState, StaffRole
from fedihub.moderation import actions, policy, staff
from fedihub.runtime import Runtime
from fedihub.web.common import RUNTIME_KEY
from tests.federation.mockpeers import install

ADMIN_SCOPES = "read write admin:read admin:write"
LOCAL = "<local>"  # the address Quart's test client reports for its requests


def _rt(app: Any) -> Runtime:
    runtime: Runtime = app.extensions[RUNTIME_KEY]
    return runtime


async def _staff(app: Any) -> tuple[str, str, str]:
    """Tokens with every admin scope: of an admin, of a moderator, of a plain user."""
    admin = await make_user(app, "grace", admin=True)
    moderator = await make_user(app, "mo")
    await staff.set_role(moderator, StaffRole.MODERATOR)
    plain = await make_user(app, "ada")
    return (
        await make_token(admin, ADMIN_SCOPES),
        await make_token(moderator, ADMIN_SCOPES),
        await make_token(plain, ADMIN_SCOPES),
    )


async def test_admins_manage_domain_blocks_moderators_and_users_may_not(
    app: Any, client: Any
) -> None:
    admin, moderator, plain = await _staff(app)
    for token in (moderator, plain):
        refused = await client.get("/api/v1/admin/domain_blocks", headers=bearer(token))
        assert refused.status_code == 403
        assert (await refused.get_json())["error"] == staff.NOT_ALLOWED
    read_only = await make_token(
        await models.User.get(username_key="grace"), "admin:read:domain_blocks"
    )
    form = {"domain": "Spam.Example", "severity": "suspend", "public_comment": "spam"}
    assert (
        await client.post("/api/v1/admin/domain_blocks", form=form, headers=bearer(read_only))
    ).status_code == 403

    made = await json_of(
        await client.post("/api/v1/admin/domain_blocks", form=form, headers=bearer(admin))
    )
    check("AdminDomainBlock", made)
    assert made["domain"] == "spam.example" and made["severity"] == "suspend"
    assert await policy.is_refused(_rt(app), "spam.example")
    again = await client.post("/api/v1/admin/domain_blocks", form=form, headers=bearer(admin))
    assert again.status_code == 422

    changed = await json_of(
        await client.put(
            f"/api/v1/admin/domain_blocks/{made['id']}",
            form={"severity": "silence", "reject_media": "true"},
            headers=bearer(admin),
        )
    )
    assert changed["severity"] == "silence" and changed["reject_media"] is True
    assert changed["public_comment"] == "spam"
    assert not await policy.is_refused(_rt(app), "spam.example")
    listed = await json_of(await client.get("/api/v1/admin/domain_blocks", headers=bearer(admin)))
    assert [b["domain"] for b in listed] == ["spam.example"]
    shown = await json_of(
        await client.get(f"/api/v1/admin/domain_blocks/{made['id']}", headers=bearer(admin))
    )
    assert shown == changed
    await json_of(
        await client.delete(f"/api/v1/admin/domain_blocks/{made['id']}", headers=bearer(admin))
    )
    assert not await models.DomainBlock.exists()

    allowed = await json_of(
        await client.post(
            "/api/v1/admin/domain_allows", form={"domain": "uni.example"}, headers=bearer(admin)
        )
    )
    check("AdminDomainAllow", allowed)
    assert [
        a["domain"]
        for a in await json_of(
            await client.get("/api/v1/admin/domain_allows", headers=bearer(admin))
        )
    ] == ["uni.example"]
    await json_of(
        await client.delete(f"/api/v1/admin/domain_allows/{allowed['id']}", headers=bearer(admin))
    )
    assert not await models.DomainAllow.exists()

    logged = [
        (e.actor_acct, e.action, e.target_type, e.target, e.ip)
        for e in await models.AuditEntry.all().order_by("id")
    ]
    assert logged == [
        ("grace", "create", "DomainBlock", "spam.example", LOCAL),
        ("grace", "update", "DomainBlock", "spam.example", LOCAL),
        ("grace", "destroy", "DomainBlock", "spam.example", LOCAL),
        ("grace", "create", "DomainAllow", "uni.example", LOCAL),
        ("grace", "destroy", "DomainAllow", "uni.example", LOCAL),
    ]


async def test_moderators_list_and_filter_accounts_in_mastodons_shape(
    app: Any, client: Any
) -> None:
    admin, moderator, plain = await _staff(app)
    zoe = await remote_actor("zoe", "far.example")
    assert (await client.get("/api/v1/admin/accounts", headers=bearer(plain))).status_code == 403

    everyone = await json_of(await client.get("/api/v1/admin/accounts", headers=bearer(moderator)))
    for item in everyone:
        check("AdminAccount", item)
    assert {a["username"] for a in everyone} == {"grace", "mo", "ada", "zoe"}
    roles = {a["username"]: a["role"]["name"] for a in everyone}
    assert roles == {"grace": "Admin", "mo": "Moderator", "ada": "", "zoe": ""}

    remote = await json_of(
        await client.get("/api/v2/admin/accounts?origin=remote", headers=bearer(moderator))
    )
    assert [a["id"] for a in remote] == [str(zoe.id)]
    staff_only = await json_of(
        await client.get("/api/v2/admin/accounts?permissions=staff", headers=bearer(admin))
    )
    assert {a["username"] for a in staff_only} == {"grace", "mo"}
    local_v1 = await json_of(
        await client.get("/api/v1/admin/accounts?local=true&username=ad", headers=bearer(admin))
    )
    assert [a["username"] for a in local_v1] == ["ada"]
    assert local_v1[0]["email"] == "ada@uni.example"


async def test_suspending_a_local_account_stops_its_token_hides_its_posts_and_federates(
    app: Any, client: Any
) -> None:
    rt = _rt(app)
    await install(rt)
    admin, _moderator, _plain = await _staff(app)
    ada = await models.User.get(username_key="ada")
    ada_token = await make_token(ada)
    status_id = await post_status(client, ada_token, status="my findings")
    bob = await remote_actor("bob", "far.example")
    await models.Follow.create(follower=bob, target_id=ada.actor_id, state=FollowState.ACCEPTED)

    await json_of(
        await client.post(
            f"/api/v1/admin/accounts/{ada.actor_id}/action",
            form={"type": "suspend", "text": "spam"},
            headers=bearer(admin),
        )
    )

    assert (
        await client.get("/api/v1/accounts/verify_credentials", headers=bearer(ada_token))
    ).status_code == 401
    assert (await client.get(f"/api/v1/statuses/{status_id}")).status_code == 404
    deletes = [
        j for j in await models.Job.filter(kind="deliver") if j.payload["inbox"] == bob.inbox
    ]
    assert len(deletes) == 1
    stored = await models.OutboxActivity.get(id=deletes[0].payload["activity"])
    ada_uri = (await models.Actor.get(id=ada.actor_id)).uri
    assert '"type":"Delete"' in stored.body and f'"object":"{ada_uri}"' in stored.body
    shown = await json_of(
        await client.get(f"/api/v1/admin/accounts/{ada.actor_id}", headers=bearer(admin))
    )
    assert shown["suspended"] is True and shown["disabled"] is True

    # undone within the grace period: everything comes back
    back = await json_of(
        await client.post(f"/api/v1/admin/accounts/{ada.actor_id}/unsuspend", headers=bearer(admin))
    )
    check("AdminAccount", back)
    assert back["suspended"] is False and back["disabled"] is False
    assert (await client.get(f"/api/v1/statuses/{status_id}")).status_code == 200
    assert (
        await client.get("/api/v1/accounts/verify_credentials", headers=bearer(ada_token))
    ).status_code == 200
    logged = [(e.action, e.target, e.detail) for e in await models.AuditEntry.all().order_by("id")]
    assert logged == [("suspend", "ada", "spam"), ("unsuspend", "ada", "")]


async def test_a_suspension_past_its_grace_period_deletes_the_data(app: Any, client: Any) -> None:
    rt = _rt(app)
    await install(rt)
    ada = await make_user(app, "ada")
    status_id = await post_status(client, await make_token(ada), status="gone soon")
    zoe = await remote_actor("zoe", "far.example")
    await actions.perform(rt, ada.actor, actions.Action.SUSPEND)
    await actions.perform(rt, zoe, actions.Action.SUSPEND)
    await actions.purge_expired(rt)
    assert await models.Status.filter(id=int(status_id)).exists()  # still within 30 days

    past = datetime.now(UTC) - timedelta(seconds=1)
    await models.AccountModeration.all().update(purge_after=past)
    await actions.purge_expired(rt)

    assert not await models.Status.filter(id=int(status_id)).exists()
    assert not await models.Actor.filter(id=zoe.id).exists()
    assert (await models.Actor.get(id=ada.actor_id)).deleted_at is not None


async def test_silence_sensitive_and_disable_act_as_mastodons(app: Any, client: Any) -> None:
    admin, _moderator, _plain = await _staff(app)
    ada = await models.User.get(username_key="ada")
    ada_token = await make_token(ada)
    status_id = await post_status(client, ada_token, status="public words")
    viewer = await make_token(await make_user(app, "kim"))

    async def public_ids() -> list[str]:
        got = await json_of(await client.get("/api/v1/timelines/public", headers=bearer(viewer)))
        return [s["id"] for s in got]

    async def act(kind: str) -> None:
        await json_of(
            await client.post(
                f"/api/v1/admin/accounts/{ada.actor_id}/action",
                form={"type": kind},
                headers=bearer(admin),
            )
        )

    assert status_id in await public_ids()
    await act("silence")
    assert status_id not in await public_ids()
    await json_of(
        await client.post(f"/api/v1/admin/accounts/{ada.actor_id}/unsilence", headers=bearer(admin))
    )
    assert status_id in await public_ids()

    await act("sensitive")
    media = await models.MediaAttachment.create(actor_id=ada.actor_id, kind="image")
    with_media = await post_status(client, ada_token, status="a picture", media_ids=[str(media.id)])
    assert (await models.Status.get(id=int(with_media))).sensitive is True

    await act("disable")
    assert (
        await client.get("/api/v1/accounts/verify_credentials", headers=bearer(ada_token))
    ).status_code == 401
    enabled = await json_of(
        await client.post(f"/api/v1/admin/accounts/{ada.actor_id}/enable", headers=bearer(admin))
    )
    assert enabled["disabled"] is False and enabled["sensitized"] is True
    # staff are not acted on through the API
    grace = await models.User.get(username_key="grace")
    refused = await client.post(
        f"/api/v1/admin/accounts/{grace.actor_id}/action",
        form={"type": "suspend"},
        headers=bearer(admin),
    )
    assert refused.status_code == 422


async def test_audit_entries_cannot_be_changed_or_deleted(app: Any) -> None:
    from fedihub.moderation import audit

    entry = await audit.record(None, "create", "DomainBlock", "spam.example")
    assert entry.ip == "cli" and entry.actor_acct == "(command line)"
    entry.target = "other.example"
    for attempt in (entry.save(), entry.delete()):
        try:
            await attempt
        except PermissionError:
            continue
        raise AssertionError("an audit entry was changed")
    assert (await models.AuditEntry.get(id=entry.id)).target == "spam.example"
