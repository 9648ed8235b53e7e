"""Sign-in by username or e-mail, wrong passwords, disabled accounts, throttling, sign-out."""

from __future__ import annotations

from typing import Any

from pagekit import PASSWORD, make_user, page_token, sign_in

from fedihub.accounts import users


async def test_sign_in_by_username_and_by_email_address(app: Any) -> None:
    await make_user(app, "ada", "ada@uni.example")
    for login in ("ada", "ADA", "@ada", "Ada@Uni.Example"):
        browser = app.test_client()
        response = await sign_in(browser, login)
        assert response.status_code == 302, login
        assert response.headers["Location"] == "/"
        settings = await browser.get("/settings/profile")
        assert settings.status_code == 200, login


async def test_wrong_password_answers_401_and_keeps_the_login(client: Any, app: Any) -> None:
    await make_user(app, "ada")
    for login in ("ada", "nobody"):
        response = await sign_in(client, login, "wrong password 123")
        html = await response.get_data(as_text=True)
        assert response.status_code == 401
        assert "invalid username, e-mail address or password" in html
        assert f'value="{login}"' in html
    assert (await client.get("/settings/profile")).status_code == 302


async def test_disabled_account_is_refused_with_a_message(client: Any, app: Any) -> None:
    await make_user(app, "ada")
    await users.set_disabled("ada")
    response = await sign_in(client, "ada")
    assert response.status_code == 403
    assert "this account is disabled" in await response.get_data(as_text=True)


async def test_ten_failures_in_five_minutes_answer_429_even_with_the_right_password(
    client: Any, app: Any
) -> None:
    await make_user(app, "ada")
    for login in ["ada", "ada@uni.example"] * 5:  # one account, whichever way it is named
        browser = app.test_client()
        token = await page_token(browser, "/auth/sign_in")
        response = await browser.post(
            "/auth/sign_in",
            form={"login": login, "password": "wrong password 123", "csrf_token": token},
            scope_base={"client": (f"192.0.2.{len(login)}", 4000)},
        )
        assert response.status_code == 401
    blocked = await sign_in(client, "ADA@uni.example")
    assert blocked.status_code == 429
    assert "too many failed sign-ins" in await blocked.get_data(as_text=True)


async def test_ten_failures_from_one_address_throttle_it_for_every_account(
    client: Any, app: Any
) -> None:
    await make_user(app, "bob")
    for i in range(10):
        assert (await sign_in(client, f"nobody{i}", "wrong password 123")).status_code == 401
    assert (await sign_in(app.test_client(), "bob")).status_code == 429
    elsewhere = app.test_client()
    token = await page_token(elsewhere, "/auth/sign_in")
    response = await elsewhere.post(
        "/auth/sign_in",
        form={"login": "bob", "password": PASSWORD, "csrf_token": token},
        scope_base={"client": ("192.0.2.99", 4000)},
    )
    assert response.status_code == 302


async def test_next_goes_to_local_paths_only(app: Any) -> None:
    await make_user(app, "ada")
    cases = {
        "/settings/password": "/settings/password",
        "https://evil.example/": "/",
        "//evil.example/x": "/",
        "/\\evil.example": "/",
    }
    for next_path, expected in cases.items():
        browser = app.test_client()
        token = await page_token(browser, "/auth/sign_in")
        response = await browser.post(
            "/auth/sign_in",
            form={"login": "ada", "password": PASSWORD, "csrf_token": token, "next": next_path},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == expected, next_path


async def test_settings_redirects_to_sign_in_and_back(client: Any, app: Any) -> None:
    await make_user(app, "ada")
    response = await client.get("/settings/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/sign_in?next=/settings/profile"
    form = await (await client.get(response.headers["Location"])).get_data(as_text=True)
    assert 'name="next" value="/settings/profile"' in form


async def test_sign_in_and_sign_out_need_the_csrf_token(client: Any, app: Any) -> None:
    await make_user(app, "ada")
    await client.get("/auth/sign_in")
    forged = await client.post(
        "/auth/sign_in", form={"login": "ada", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert (await client.get("/settings/profile")).status_code == 302

    assert (await sign_in(client, "ada")).status_code == 302
    missing = await client.post("/auth/sign_out", form={})
    assert missing.status_code == 403
    assert (await client.get("/settings/profile")).status_code == 200  # still signed in


async def test_sign_out_ends_the_session(client: Any, app: Any) -> None:
    await make_user(app, "ada")
    await sign_in(client, "ada")
    token = await page_token(client, "/settings/profile")
    response = await client.post("/auth/sign_out", form={"csrf_token": token})
    assert response.status_code == 302
    assert (await client.get("/settings/profile")).status_code == 302
    home = await (await client.get("/")).get_data(as_text=True)
    assert "Sign in" in home and "Sign out" not in home


async def test_pages_never_send_cross_origin_opener_policy(client: Any, app: Any) -> None:
    await make_user(app, "ada")
    paths = ["/", "/auth/sign_in", "/auth/sign_up"]
    for path in paths:
        response = await client.get(path)
        assert "Cross-Origin-Opener-Policy" not in response.headers, path
    response = await sign_in(client, "ada")
    assert "Cross-Origin-Opener-Policy" not in response.headers
    for path in ("/settings/profile", "/settings/password"):
        response = await client.get(path)
        assert response.status_code == 200
        assert "Cross-Origin-Opener-Policy" not in response.headers, path


async def test_session_cookie_is_httponly_lax_and_secure_on_https(client: Any) -> None:
    response = await client.get("/auth/sign_in")
    cookie = response.headers["Set-Cookie"].lower()
    assert "fedihub_session=" in cookie
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie


async def test_sign_in_page_in_chinese(client: Any) -> None:
    html = await (await client.get("/auth/sign_in", headers={"Accept-Language": "zh-CN"})).get_data(
        as_text=True
    )
    assert '<html lang="zh-CN">' in html and "用户名或电子邮件地址" in html
    english = await (await client.get("/auth/sign_in")).get_data(as_text=True)
    assert '<html lang="en">' in english and "Username or e-mail address" in english
    response = await sign_in(client, "nobody", "wrong password 123")
    assert response.status_code == 401
    token = await page_token(client, "/auth/sign_in")
    response = await client.post(
        "/auth/sign_in?lang=zh",
        form={"login": "x", "password": "wrong pass 1", "csrf_token": token},
    )
    assert "用户名、电子邮件地址或密码错误" in await response.get_data(as_text=True)
