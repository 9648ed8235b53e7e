"""Two-factor sign-in: setup with a QR code and a first code, the second step on the sign-in page
and on the OAuth authorize page, codes good once, recovery codes good once, the password grant
refused, turning it off with the password and a code. Codes are computed from the secret."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from pagekit import PASSWORD, csrf_from, make_user, page_token, sign_in

from fedihub import models
from fedihub.accounts import oauth
from fedihub.security import totp

_SECRET = re.compile(r"<code>([A-Z2-7]{32})</code>")
_RECOVERY = re.compile(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>")
REDIRECT = "https://app.example/callback"
_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


async def make_app() -> tuple[models.OAuthApp, str]:
    return await oauth.create_app("Test app", [REDIRECT], "read write", "https://app.example")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def next_step(self) -> None:
        self.now += totp.STEP_S


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(totp, "clock", fake)
    return fake


async def turn_on(app: Any, clock: Clock, username: str = "ada") -> tuple[str, list[str]]:
    """Sign in, set up two-factor sign-in through the settings pages; the secret and codes."""
    browser = app.test_client()
    assert (await sign_in(browser, username)).status_code == 302
    token = await page_token(browser, "/settings/two_factor")
    begun = await browser.post("/settings/two_factor/begin", form={"csrf_token": token})
    assert begun.status_code == 303
    page = await browser.get("/settings/two_factor")
    html = await page.get_data(as_text=True)
    secret = _SECRET.search(html).group(1)  # type: ignore[union-attr]
    qr = await browser.get("/settings/two_factor/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert "<svg" in await qr.get_data(as_text=True)
    assert qr.headers["Cache-Control"] == "no-store"
    wrong = await browser.post(
        "/settings/two_factor/confirm", form={"csrf_token": token, "code": "000000"}
    )
    assert wrong.status_code == 422
    confirmed = await browser.post(
        "/settings/two_factor/confirm", form={"csrf_token": token, "code": totp.now(secret)}
    )
    html = await confirmed.get_data(as_text=True)
    assert confirmed.status_code == 200, html
    codes = _RECOVERY.findall(html)
    assert len(codes) == 10
    # shown once: the page afterwards tells how many are left, not what they are
    again = await (await browser.get("/settings/two_factor")).get_data(as_text=True)
    assert codes[0] not in again and secret not in again
    stored = await models.TwoFactor.get(user_id=(await models.User.get(username_key=username)).id)
    assert secret not in stored.secret_sealed
    clock.next_step()
    return secret, codes


async def _password_step(browser: Any, login: str = "ada") -> Any:
    response = await sign_in(browser, login)
    assert response.status_code == 200
    html = await response.get_data(as_text=True)
    assert 'name="code"' in html
    return csrf_from(html)


async def test_web_sign_in_asks_for_a_code_that_works_once(app: Any, clock: Clock) -> None:
    await make_user(app, "ada")
    secret, _ = await turn_on(app, clock)
    browser = app.test_client()
    token = await _password_step(browser)
    # the password alone signs nobody in
    assert (await browser.get("/settings/profile")).status_code == 302
    wrong = await browser.post(
        "/auth/two_factor", form={"csrf_token": token, "code": "123456", "next": "/"}
    )
    assert wrong.status_code == 401
    code = totp.now(secret)
    done = await browser.post(
        "/auth/two_factor", form={"csrf_token": token, "code": code, "next": "/settings/account"}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/settings/account"
    assert (await browser.get("/settings/profile")).status_code == 200
    # the same code, in the same 30 seconds, signs no one else in
    other = app.test_client()
    token = await _password_step(other)
    replay = await other.post("/auth/two_factor", form={"csrf_token": token, "code": code})
    assert replay.status_code == 401
    # a code straight to the second step without the password first is refused
    stranger = app.test_client()
    token = await page_token(stranger, "/auth/sign_in")
    alone = await stranger.post(
        "/auth/two_factor", form={"csrf_token": token, "code": totp.now(secret)}
    )
    assert alone.status_code == 401
    assert (await stranger.get("/settings/profile")).status_code == 302


async def test_recovery_code_signs_in_once(app: Any, clock: Clock) -> None:
    await make_user(app, "ada")
    _, codes = await turn_on(app, clock)
    first = app.test_client()
    token = await _password_step(first)
    ok = await first.post("/auth/two_factor", form={"csrf_token": token, "code": codes[3].upper()})
    assert ok.status_code == 302
    second = app.test_client()
    token = await _password_step(second)
    reused = await second.post("/auth/two_factor", form={"csrf_token": token, "code": codes[3]})
    assert reused.status_code == 401
    page = await (await first.get("/settings/two_factor")).get_data(as_text=True)
    assert "Recovery codes left: 9" in page
    # new codes replace the old ones
    renewed = await first.post(
        "/settings/two_factor/recovery_codes",
        form={"csrf_token": csrf_from(page), "code": codes[4]},
    )
    fresh = _RECOVERY.findall(await renewed.get_data(as_text=True))
    assert renewed.status_code == 200 and len(fresh) == 10 and codes[5] not in fresh
    third = app.test_client()
    token = await _password_step(third)
    old = await third.post("/auth/two_factor", form={"csrf_token": token, "code": codes[5]})
    assert old.status_code == 401
    new = await third.post("/auth/two_factor", form={"csrf_token": token, "code": fresh[0]})
    assert new.status_code == 302


async def test_wrong_codes_are_throttled(app: Any, clock: Clock) -> None:
    await make_user(app, "ada")
    secret, _ = await turn_on(app, clock)
    browser = app.test_client()
    token = await _password_step(browser)
    for _ in range(4):  # the fifth failure of the account: turn_on typed one wrong code
        wrong = await browser.post("/auth/two_factor", form={"csrf_token": token, "code": "1"})
        assert wrong.status_code == 401
    held = await browser.post(
        "/auth/two_factor", form={"csrf_token": token, "code": totp.now(secret)}
    )
    assert held.status_code == 429


async def test_authorize_page_asks_for_the_code_before_consent(app: Any, clock: Clock) -> None:
    await make_user(app, "ada")
    secret, _ = await turn_on(app, clock)
    oauth_app, _ = await make_app()
    query = {
        "client_id": oauth_app.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "read",
    }
    url = "/oauth/authorize?" + urlencode(query)
    browser = app.test_client()
    html = await (await browser.get(url)).get_data(as_text=True)
    signed = await browser.post(
        url,
        form={
            "action": "sign_in",
            "login": "ada",
            "password": PASSWORD,
            "csrf_token": csrf_from(html),
        },
    )
    html = await signed.get_data(as_text=True)
    assert signed.status_code == 200
    assert 'value="two_factor"' in html and "Deny" not in html
    token = csrf_from(html)
    wrong = await browser.post(
        url, form={"action": "two_factor", "code": "000000", "csrf_token": token}
    )
    assert wrong.status_code == 401
    # approving without the second step is refused: the session is not signed in
    refused = await browser.post(
        "/oauth/authorize", form={**query, "decision": "approve", "csrf_token": token}
    )
    assert refused.status_code == 401
    passed = await browser.post(
        url, form={"action": "two_factor", "code": totp.now(secret), "csrf_token": token}
    )
    html = await passed.get_data(as_text=True)
    assert passed.status_code == 200 and "Authorize" in html and "Deny" in html
    fields = dict(_HIDDEN.findall(html))
    approved = await browser.post("/oauth/authorize", form={**fields, "decision": "approve"})
    assert approved.status_code == 302
    assert approved.headers["Location"].startswith(REDIRECT + "?code=")


async def test_password_grant_refuses_an_account_with_two_factors(app: Any, clock: Clock) -> None:
    await make_user(app, "ada")
    oauth_app, client_secret = await make_app()
    form = {
        "grant_type": "password",
        "client_id": oauth_app.client_id,
        "client_secret": client_secret,
        "username": "ada",
        "password": PASSWORD,
        "scope": "read",
    }
    client = app.test_client()
    assert (await client.post("/oauth/token", form=form)).status_code == 200
    await turn_on(app, clock)
    refused = await client.post("/oauth/token", form=form)
    body = await refused.get_json()
    assert refused.status_code == 400
    assert body["error"] == "invalid_grant"
    assert "two-factor" in body["error_description"]


async def test_turning_it_off_needs_the_password_and_a_code(app: Any, clock: Clock) -> None:
    await make_user(app, "ada")
    secret, _ = await turn_on(app, clock)
    browser = app.test_client()
    token = await _password_step(browser)
    await browser.post("/auth/two_factor", form={"csrf_token": token, "code": totp.now(secret)})
    clock.next_step()
    token = await page_token(browser, "/settings/two_factor")
    bad = await browser.post(
        "/settings/two_factor/disable",
        form={"csrf_token": token, "password": "wrong password", "code": totp.now(secret)},
    )
    assert bad.status_code == 422
    off = await browser.post(
        "/settings/two_factor/disable",
        form={"csrf_token": token, "password": PASSWORD, "code": totp.now(secret)},
    )
    assert off.status_code == 303
    assert (await sign_in(app.test_client(), "ada")).status_code == 302


async def test_revoking_a_session_signs_that_browser_out_at_once(app: Any) -> None:
    await make_user(app, "ada")
    laptop, phone = app.test_client(), app.test_client()
    assert (await sign_in(laptop, "ada")).status_code == 302
    token = await page_token(phone, "/auth/sign_in")
    await phone.post(
        "/auth/sign_in",
        form={"login": "ada", "password": PASSWORD, "csrf_token": token},
        headers={"User-Agent": "PhoneBrowser/1.0"},
        scope_base={"client": ("198.51.100.7", 4000)},
    )
    page = await laptop.get("/settings/sessions")
    html = await page.get_data(as_text=True)
    assert "PhoneBrowser/1.0" in html and "198.51.100.7" in html and "this browser" in html
    row = await models.WebSession.get(user_agent="PhoneBrowser/1.0")
    assert (await phone.get("/settings/profile")).status_code == 200
    ended = await laptop.post(
        f"/settings/sessions/{row.id}/revoke", form={"csrf_token": csrf_from(html)}
    )
    assert ended.status_code == 303
    assert (await phone.get("/settings/profile")).status_code == 302
    assert (await laptop.get("/settings/profile")).status_code == 200


async def test_a_password_change_ends_the_other_sessions_in_the_list(app: Any) -> None:
    await make_user(app, "ada")
    laptop, phone = app.test_client(), app.test_client()
    assert (await sign_in(laptop, "ada")).status_code == 302
    assert (await sign_in(phone, "ada")).status_code == 302
    token = await page_token(laptop, "/settings/password")
    changed = await laptop.post(
        "/settings/password",
        form={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "a new long passphrase 2026",
            "new_password_confirmation": "a new long passphrase 2026",
        },
    )
    assert changed.status_code == 302
    assert (await phone.get("/settings/profile")).status_code == 302
    live = await models.WebSession.filter(revoked_at=None).count()
    assert live == 1  # the laptop's new session only
