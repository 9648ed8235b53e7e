"""The authorise pages: sign-in on the page, consent, codes (single use, PKCE), redirects, oob."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from apikit import PASSWORD, REDIRECT, make_app, make_user

from fedihub import models
from fedihub.accounts import oauth

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def s256(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


async def _consent_form(client: Any, query: dict[str, str], login: str = "ada") -> dict[str, str]:
    """Open the authorise page, sign in on it, and return the consent form's fields."""
    url = "/oauth/authorize?" + urlencode(query)
    page = await client.get(url)
    assert page.status_code == 200
    html = await page.get_data(as_text=True)
    assert "Cross-Origin-Opener-Policy" not in page.headers
    if 'name="password"' not in html:  # signed in already: the consent form comes at once
        return dict(_HIDDEN.findall(html))
    csrf = _CSRF.search(html).group(1)  # type: ignore[union-attr]
    signed = await client.post(
        url, form={"action": "sign_in", "login": login, "password": PASSWORD, "csrf_token": csrf}
    )
    html = await signed.get_data(as_text=True)
    assert signed.status_code == 200, html
    assert "Authorize" in html and "Deny" in html and "Test app" in html
    assert "Cross-Origin-Opener-Policy" not in signed.headers
    return dict(_HIDDEN.findall(html))


async def _token(client: Any, app: models.OAuthApp, secret: str, code: str, **extra: str) -> Any:
    return await client.post(
        "/oauth/token",
        form={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "client_secret": secret,
            "code": code,
            "redirect_uri": REDIRECT,
            **extra,
        },
    )


async def test_code_flow_with_pkce_s256_gives_a_working_token_once(client: Any) -> None:
    await make_user(client.app, "ada")
    app, secret = await make_app()
    verifier = "v" * 20 + "erifier-with-enough-entropy-0123456789"
    fields = await _consent_form(
        client,
        {
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "read write push",
            "state": "xyz",
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
        },
    )
    answer = await client.post("/oauth/authorize", form={**fields, "decision": "approve"})
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    code = query["code"][0]
    assert not await models.OAuthCode.filter(code_hash=code).exists()  # stored hashed
    token = await _token(client, app, secret, code, code_verifier=verifier)
    body = await token.get_json()
    assert token.status_code == 200, body
    assert body["scope"] == "read write push"
    me = await client.get(
        "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert (await me.get_json())["acct"] == "ada"
    again = await _token(client, app, secret, code, code_verifier=verifier)
    assert again.status_code == 400 and (await again.get_json())["error"] == "invalid_grant"


async def test_pkce_mismatch_and_missing_verifier_fail(client: Any) -> None:
    await make_user(client.app, "ada")
    app, secret = await make_app()
    challenge = s256("the-right-verifier-0123456789-0123456789-abc")
    for verifier in ("the-wrong-verifier-0123456789-0123456789-abc", None):
        fields = await _consent_form(
            client,
            {
                "client_id": app.client_id,
                "redirect_uri": REDIRECT,
                "response_type": "code",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        answer = await client.post("/oauth/authorize", form={**fields, "decision": "approve"})
        code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
        extra = {"code_verifier": verifier} if verifier else {}
        token = await _token(client, app, secret, code, **extra)
        assert token.status_code == 400 and (await token.get_json())["error"] == "invalid_grant", (
            verifier
        )


async def test_plain_pkce_lets_a_public_client_exchange_without_secret(client: Any) -> None:
    await make_user(client.app, "ada")
    app, _ = await make_app()
    verifier = "plain-verifier-0123456789-0123456789-0123456789"
    fields = await _consent_form(
        client,
        {
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "code_challenge": verifier,
            "code_challenge_method": "plain",
        },
    )
    answer = await client.post("/oauth/authorize", form={**fields, "decision": "approve"})
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    token = await client.post(
        "/oauth/token",
        json={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, await token.get_json()


async def test_code_issued_without_a_challenge_needs_the_client_secret_whatever_the_verifier(
    client: Any,
) -> None:
    await make_user(client.app, "ada")
    app, secret = await make_app()
    query = {"client_id": app.client_id, "redirect_uri": REDIRECT, "response_type": "code"}
    codes = []
    for _ in range(2):
        fields = await _consent_form(client, query)
        answer = await client.post("/oauth/authorize", form={**fields, "decision": "approve"})
        codes.append(parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0])
    # Given a code issued without PKCE, when someone who holds it but not the secret sends any
    # code_verifier, then no token is issued
    stolen = await client.post(
        "/oauth/token",
        form={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "code": codes[0],
            "redirect_uri": REDIRECT,
            "code_verifier": "anything-at-all-0123456789-0123456789-0123",
        },
    )
    assert stolen.status_code == 401, await stolen.get_json()
    assert (await stolen.get_json())["error"] == "invalid_client"
    assert not await models.OAuthToken.all().exists()
    # while the client that holds the secret still gets its token
    token = await _token(client, app, secret, codes[1], code_verifier="ignored-verifier")
    assert token.status_code == 200, await token.get_json()


async def test_code_needs_the_same_redirect_uri_and_expires(client: Any) -> None:
    await make_user(client.app, "ada")
    app, secret = await make_app()
    query = {"client_id": app.client_id, "redirect_uri": REDIRECT, "response_type": "code"}
    fields = await _consent_form(client, query)
    answer = await client.post("/oauth/authorize", form={**fields, "decision": "approve"})
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    other = await _token(client, app, secret, code, redirect_uri=oauth.OOB)
    assert other.status_code == 400 and (await other.get_json())["error"] == "invalid_grant"
    answer = await client.post("/oauth/authorize", form={**fields, "decision": "approve"})
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    from datetime import UTC, datetime, timedelta

    await models.OAuthCode.filter(code_hash=oauth.digest(code)).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    late = await _token(client, app, secret, code)
    assert late.status_code == 400 and (await late.get_json())["error"] == "invalid_grant"


async def test_out_of_band_shows_the_code_and_deny_redirects_with_access_denied(
    client: Any,
) -> None:
    await make_user(client.app, "ada")
    app, secret = await make_app()
    fields = await _consent_form(
        client, {"client_id": app.client_id, "redirect_uri": oauth.OOB, "response_type": "code"}
    )
    page = await client.post("/oauth/authorize", form={**fields, "decision": "approve"})
    html = await page.get_data(as_text=True)
    code = re.search(r'<input readonly value="([^"]+)"', html)
    assert code is not None
    token = await client.post(
        "/oauth/token",
        form={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "client_secret": secret,
            "code": code.group(1),
            "redirect_uri": oauth.OOB,
        },
    )
    assert token.status_code == 200
    fields = await _consent_form(
        client,
        {
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "state": "s1",
        },
    )
    denied = await client.post("/oauth/authorize", form={**fields, "decision": "deny"})
    assert denied.status_code == 302
    assert parse_qs(urlsplit(denied.headers["Location"]).query) == {
        "error": ["access_denied"],
        "state": ["s1"],
    }


async def test_bad_authorize_requests_show_an_error_page(client: Any) -> None:
    app, _ = await make_app("read")
    good = {"client_id": app.client_id, "redirect_uri": REDIRECT, "response_type": "code"}
    for bad in (
        {"client_id": "unknown"},
        {"redirect_uri": "https://evil.example/cb"},
        {"response_type": "token"},
        {"scope": "write"},
        {"scope": "bogus"},
        {"code_challenge": "short", "code_challenge_method": "S256"},
        {"code_challenge": "x" * 43, "code_challenge_method": "S512"},
    ):
        page = await client.get("/oauth/authorize?" + urlencode({**good, **bad}))
        assert page.status_code == 400, bad
        assert "not valid" in await page.get_data(as_text=True)
    trailing = await client.get("/oauth/authorize/?" + urlencode(good))
    assert trailing.status_code == 200


async def test_consent_without_csrf_or_session_is_refused(client: Any) -> None:
    await make_user(client.app, "ada")
    app, _ = await make_app()
    fields = await _consent_form(
        client, {"client_id": app.client_id, "redirect_uri": REDIRECT, "response_type": "code"}
    )
    forged = await client.post(
        "/oauth/authorize", form={**fields, "csrf_token": "forged", "decision": "approve"}
    )
    assert forged.status_code == 403
    stranger = client.app.test_client()
    no_session = await stranger.post("/oauth/authorize", form={**fields, "decision": "approve"})
    assert no_session.status_code == 403
    assert not await models.OAuthCode.all().exists()


async def test_wrong_password_on_the_authorize_page_shows_the_form_again(client: Any) -> None:
    await make_user(client.app, "ada")
    app, _ = await make_app()
    url = "/oauth/authorize?" + urlencode(
        {"client_id": app.client_id, "redirect_uri": REDIRECT, "response_type": "code"}
    )
    html = await (await client.get(url)).get_data(as_text=True)
    csrf = _CSRF.search(html).group(1)  # type: ignore[union-attr]
    wrong = await client.post(
        url, form={"action": "sign_in", "login": "ada", "password": "nope nope", "csrf_token": csrf}
    )
    assert wrong.status_code == 401
    assert 'name="password"' in await wrong.get_data(as_text=True)


async def test_sign_in_on_the_authorize_page_is_throttled_per_account_with_the_other_doors(
    app: Any,
) -> None:
    await make_user(app, "ada")
    oauth_app, secret = await make_app()
    url = "/oauth/authorize?" + urlencode(
        {"client_id": oauth_app.client_id, "redirect_uri": REDIRECT, "response_type": "code"}
    )

    async def sign_in_on_page(password: str, address: str) -> Any:
        browser = app.test_client()
        html = await (await browser.get(url)).get_data(as_text=True)
        csrf = _CSRF.search(html).group(1)  # type: ignore[union-attr]
        return await browser.post(
            url,
            form={"action": "sign_in", "login": "ada", "password": password, "csrf_token": csrf},
            scope_base={"client": (address, 4000)},
        )

    # Given five wrong guesses on the page and five through the password grant, from ten addresses
    for i in range(5):
        assert (await sign_in_on_page("wrong password!", f"203.0.113.{i}")).status_code == 401
        grant = await app.test_client().post(
            "/oauth/token",
            form={
                "grant_type": "password",
                "client_id": oauth_app.client_id,
                "client_secret": secret,
                "username": "ada",
                "password": "wrong password!",
            },
            scope_base={"client": (f"203.0.113.{50 + i}", 4000)},
        )
        assert grant.status_code == 400
    # Then the right password on the page, from yet another address, is refused
    late = await sign_in_on_page(PASSWORD, "203.0.113.99")
    assert late.status_code == 429
    assert 'name="password"' in await late.get_data(as_text=True)


async def test_authorize_pages_speak_chinese_when_asked(client: Any) -> None:
    app, _ = await make_app()
    query = {"client_id": app.client_id, "redirect_uri": REDIRECT, "response_type": "code"}
    url = "/oauth/authorize?" + urlencode(query)
    page = await client.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录以授权 Test app" in await page.get_data(as_text=True)
    english = await client.get(url, headers={"Accept-Language": "en"})
    assert "Sign in to authorise Test app" in await english.get_data(as_text=True)
