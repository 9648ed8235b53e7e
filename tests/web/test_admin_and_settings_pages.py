"""Settings (account, blocks and mutes, apps, export) and the admin's pages."""

from __future__ import annotations

from typing import Any

from pagekit import make_user, post, sign_in

from fedihub import models
from fedihub.jobs.queue import enqueue
from fedihub.outbox.publish import DELIVER
from fedihub.web.common import RUNTIME_KEY


async def _signed_in(app: Any, name: str, **kw: Any) -> Any:
    await make_user(app, name, **kw)
    client = app.test_client()
    assert (await sign_in(client, name)).status_code == 302
    return client


async def _html(client: Any, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return await response.get_data(as_text=True)


async def test_account_settings_lock_the_account_and_change_the_language(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    answer = await post(
        ada,
        "/settings/account",
        {"locale": "zh", "locked": "on", "next": "/settings/account?saved=1"},
        token_from="/settings/account",
    )
    assert answer.status_code == 303
    user = await models.User.get(username_key="ada").prefetch_related("actor")
    assert user.locale == "zh" and user.actor.manually_approves and not user.actor.discoverable
    assert "已保存" in await _html(ada, "/settings/account?saved=1")


async def test_blocks_and_mutes_are_listed_and_undone(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    bob = await make_user(app, "bob")
    await bob.fetch_related("actor")
    await post(ada, f"/web/accounts/{bob.actor.id}/block", {"next": "/@bob"}, "/settings/blocks")
    assert "@bob" in await _html(ada, "/settings/blocks")
    await post(ada, f"/settings/blocks/{bob.actor.id}/unblock", {}, "/settings/blocks")
    assert not await models.Block.filter(target_id=bob.actor.id).exists()


async def test_an_authorised_app_is_revoked(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    user = await models.User.get(username_key="ada")
    oauth_app = await models.OAuthApp.create(
        name="Tusky",
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
        client_id="c1",
        client_secret_hash="x",
    )
    token = await models.OAuthToken.create(
        token_hash="h1", app=oauth_app, user_id=user.id, scopes="read write"
    )
    html = await _html(ada, "/settings/apps")
    assert "Tusky" in html and "<code>write</code>" in html
    await post(ada, f"/settings/apps/{oauth_app.id}/revoke", {}, "/settings/apps")
    await token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Tusky" not in await _html(ada, "/settings/apps")


async def test_export_writes_mastodon_csv(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    bob = await make_user(app, "bob")
    await bob.fetch_related("actor")
    await post(ada, f"/web/accounts/{bob.actor.id}/follow", {"next": "/@bob"}, "/settings/export")
    response = await ada.get("/settings/export/following_accounts.csv")
    text = await response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert text.splitlines()[0].startswith("Account address") and "bob@fedihub.test" in text
    assert (await ada.get("/settings/export/passwords.csv")).status_code == 404


async def test_admin_pages_are_for_admins_only(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    for path in ("/admin", "/admin/users", "/admin/federation", "/admin/jobs"):
        assert (await ada.get(path)).status_code == 404, path
    assert "Admin" not in await _html(ada, "/home")


async def test_admin_changes_registrations_creates_invites_and_disables_users(app: Any) -> None:
    root = await _signed_in(app, "grace", admin=True)
    await make_user(app, "bob")
    assert 'href="/admin"' in await _html(root, "/home")
    await post(
        root,
        "/admin/settings",
        {"registration_mode": "closed", "node_name": "Lab node", "next": "/admin?saved=1"},
        "/admin",
    )
    assert "Lab node" in await _html(app.test_client(), "/")
    await post(root, "/admin/invites", {"max_uses": "3", "next": "/admin"}, "/admin")
    invite = await models.InviteCode.get()
    assert invite.max_uses == 3 and invite.code in await _html(root, "/admin")
    bob = await models.User.get(username_key="bob")
    await post(root, f"/admin/users/{bob.id}/disable", {"next": "/admin/users"}, "/admin/users")
    await bob.refresh_from_db()
    assert bob.disabled and "disabled" in await _html(root, "/admin/users")


async def test_admin_sees_failing_hosts_and_retries_them(app: Any) -> None:
    root = await _signed_in(app, "grace", admin=True)
    rt = app.extensions[RUNTIME_KEY]
    await enqueue(rt, DELIVER, {"activity": 1, "inbox": "https://down.example/inbox"})
    await models.Job.filter(kind=DELIVER).update(attempts=2, last_error="connection refused")
    await models.Host.create(domain="down.example", failure_count=2)
    html = await _html(root, "/admin/federation")
    assert "down.example" in html and "Retry now" in html
    answer = await post(
        root,
        "/admin/federation/retry",
        {"domain": "down.example", "next": "/admin/federation"},
        "/admin/federation",
    )
    assert answer.status_code == 303
    assert "connection refused" in await _html(root, "/admin/jobs")
