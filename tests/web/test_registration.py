"""Registration page: open, invite and closed modes; invites counted; bad input gets 422."""

from __future__ import annotations

from typing import Any

from pagekit import PASSWORD, make_user, page_token, set_mode

from fedihub import models
from fedihub.accounts import users


def _form(token: str, **extra: str) -> dict[str, str]:
    form = {
        "username": "grace",
        "email": "Grace@Uni.Example",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "csrf_token": token,
    }
    form.update(extra)
    return form


async def test_open_registration_creates_the_user_and_signs_them_in(client: Any) -> None:
    await set_mode("open")
    token = await page_token(client, "/auth/sign_up")
    response = await client.post("/auth/sign_up", form=_form(token))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = await models.User.get(username_key="grace").prefetch_related("actor")
    assert user.email == "grace@uni.example"
    assert user.actor.username == "grace"
    home = await (await client.get("/")).get_data(as_text=True)
    assert "Signed in as grace" in home


async def test_invite_mode_needs_a_valid_code_and_counts_its_uses(client: Any, app: Any) -> None:
    await set_mode("invite")
    page = await (await client.get("/auth/sign_up")).get_data(as_text=True)
    assert 'name="invite_code"' in page
    invite = await users.create_invite(None, max_uses=1)

    token = await page_token(client, "/auth/sign_up")
    refused = await client.post("/auth/sign_up", form=_form(token, invite_code="nonsense"))
    assert refused.status_code == 422
    html = await refused.get_data(as_text=True)
    assert "Invitation code: this invitation code is not valid" in html
    assert not await models.User.filter(username_key="grace").exists()

    missing = await client.post("/auth/sign_up", form=_form(token))
    assert missing.status_code == 422
    assert "invitation code is needed" in await missing.get_data(as_text=True)

    accepted = await client.post("/auth/sign_up", form=_form(token, invite_code=invite.code))
    assert accepted.status_code == 302
    await invite.refresh_from_db()
    assert invite.uses == 1

    other = app.test_client()
    token = await page_token(other, "/auth/sign_up")
    used_up = await other.post(
        "/auth/sign_up",
        form=_form(token, username="hopper", email="hopper@uni.example", invite_code=invite.code),
    )
    assert used_up.status_code == 422
    assert not await models.User.filter(username_key="hopper").exists()


async def test_failed_registration_does_not_use_up_the_invite(client: Any, app: Any) -> None:
    await set_mode("invite")
    await make_user(app, "grace")
    invite = await users.create_invite(None, max_uses=1)
    token = await page_token(client, "/auth/sign_up")
    taken = await client.post(
        "/auth/sign_up", form=_form(token, email="other@uni.example", invite_code=invite.code)
    )
    assert taken.status_code == 422
    await invite.refresh_from_db()
    assert invite.uses == 0
    assert await models.Actor.filter(username="grace").count() == 1


async def test_closed_mode_says_so_and_refuses_posts(client: Any) -> None:
    await set_mode("closed")
    page = await client.get("/auth/sign_up")
    assert page.status_code == 200
    html = await page.get_data(as_text=True)
    assert "Registrations are closed" in html
    assert 'name="password"' not in html
    token = await page_token(client, "/auth/sign_in")
    response = await client.post("/auth/sign_up", form=_form(token))
    assert response.status_code == 403
    assert not await models.User.filter(username_key="grace").exists()


async def test_bad_input_names_the_field_and_keeps_what_was_typed(client: Any, app: Any) -> None:
    await set_mode("open")
    await make_user(app, "taken")
    token = await page_token(client, "/auth/sign_up")
    cases = [
        ({"username": "Taken"}, "Username: the username"),
        ({"username": "admin"}, "is reserved"),
        (
            {"password": "short", "password_confirmation": "short"},
            "Password: password must be at least",
        ),
        ({"email": "not-an-address"}, "E-mail address: "),
        ({"password_confirmation": PASSWORD + "x"}, "Confirm password: the two passwords differ"),
    ]
    for change, message in cases:
        response = await client.post("/auth/sign_up", form=_form(token, **change))
        html = await response.get_data(as_text=True)
        assert response.status_code == 422, change
        assert message in html, change
        assert f'value="{change.get("username", "grace")}"' in html
        assert PASSWORD not in html  # never echo the password
    assert await models.User.all().count() == 1


async def test_registration_without_csrf_token_is_refused_and_changes_nothing(client: Any) -> None:
    await set_mode("open")
    await client.get("/auth/sign_up")
    for token in (None, "forged"):
        form = _form(token or "")
        if token is None:
            del form["csrf_token"]
        response = await client.post("/auth/sign_up", form=form)
        assert response.status_code == 403
    assert await models.User.all().count() == 0


async def test_registration_page_in_chinese(client: Any) -> None:
    await set_mode("invite")
    by_query = await (await client.get("/auth/sign_up?lang=zh")).get_data(as_text=True)
    assert '<html lang="zh-CN">' in by_query
    assert "创建账户" in by_query and "邀请码" in by_query
    by_header = await client.get("/auth/sign_up", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "创建账户" in await by_header.get_data(as_text=True)
    token = await page_token(client, "/auth/sign_up")
    refused = await client.post(
        "/auth/sign_up?lang=zh", form=_form(token, invite_code="nope", password_confirmation="x")
    )
    assert refused.status_code == 422
    assert "确认密码：两次输入的密码不一致" in await refused.get_data(as_text=True)


async def test_invite_used_up_during_creation_rolls_the_new_user_back(
    client: Any, app: Any, monkeypatch: Any
) -> None:
    # Given an invite with one use left, when another registration takes that use while this one
    # generates its keys, then this one fails as a whole: no user, no actor, no use counted twice
    await set_mode("invite")
    invite = await users.create_invite(None, max_uses=1)
    real_create = users.create

    async def create_while_another_registers(*args: Any, **kwargs: Any) -> models.User:
        user = await real_create(*args, **kwargs)
        await models.InviteCode.filter(id=invite.id).update(uses=1)
        return user

    monkeypatch.setattr(users, "create", create_while_another_registers)
    token = await page_token(client, "/auth/sign_up")
    response = await client.post("/auth/sign_up", form=_form(token, invite_code=invite.code))
    assert response.status_code == 422
    assert "Invitation code: this invitation code is" in await response.get_data(as_text=True)
    assert not await models.User.filter(username_key="grace").exists()
    assert not await models.Actor.filter(username="grace").exists()
