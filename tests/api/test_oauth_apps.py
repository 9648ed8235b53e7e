"""POST /api/v1/apps, the token endpoint's grants, revocation and the RFC 8414 metadata."""

from __future__ import annotations

import base64
from typing import Any

from apikit import PASSWORD, REDIRECT, bearer, make_app, make_token, make_user

from fedihub import models
from fedihub.accounts import oauth, users


async def test_app_registration_answers_mastodon_application_with_client_secret(
    client: Any,
) -> None:
    response = await client.post(
        "/api/v1/apps",
        form={
            "client_name": "Tusky",
            "redirect_uris": f"{REDIRECT}\n{oauth.OOB}",
            "scopes": "read write follow push",
            "website": "https://tusky.app",
        },
    )
    assert response.status_code == 200
    body = await response.get_json()
    assert body["name"] == "Tusky"
    assert body["redirect_uris"] == [REDIRECT, oauth.OOB]
    assert body["redirect_uri"] == f"{REDIRECT}\n{oauth.OOB}"
    assert body["scopes"] == ["read", "write", "follow", "push"]
    assert body["client_secret_expires_at"] == 0 and body["vapid_key"] == ""
    assert isinstance(body["id"], str) and len(body["client_secret"]) >= 43
    row = await models.OAuthApp.get(client_id=body["client_id"])
    assert body["client_secret"] not in row.client_secret_hash  # stored hashed
    assert row.client_secret_hash == oauth.digest(body["client_secret"])


async def test_app_registration_takes_json_with_an_array_and_defaults_scopes_to_read(
    client: Any,
) -> None:
    response = await client.post(
        "/api/v1/apps", json={"client_name": "Elk", "redirect_uris": [REDIRECT]}
    )
    body = await response.get_json()
    assert response.status_code == 200, body
    assert (
        body["redirect_uris"] == [REDIRECT]
        and body["scopes"] == ["read"]
        and body["website"] is None
    )


async def test_app_registration_refuses_bad_input_with_422(client: Any) -> None:
    cases = [
        {"client_name": "x", "redirect_uris": "not a uri"},
        {"client_name": "x", "redirect_uris": "https://a.example/cb#frag"},
        {"client_name": "x", "redirect_uris": "javascript:alert(1)"},
        {"client_name": "", "redirect_uris": REDIRECT},
        {"client_name": "x"},
        {"client_name": "x", "redirect_uris": REDIRECT, "scopes": "read rule:world"},
    ]
    for form in cases:
        response = await client.post("/api/v1/apps", form=form)
        assert response.status_code == 422, form
        assert (await response.get_json())["error"].startswith("Validation failed: ")


async def test_password_grant_by_username_or_email_echoes_the_scopes(client: Any) -> None:
    await make_user(client.app, "ada")
    app, secret = await make_app()
    for login in ("ada", "ada@uni.example"):
        response = await client.post(
            "/oauth/token",
            form={
                "grant_type": "password",
                "client_id": app.client_id,
                "client_secret": secret,
                "username": login,
                "password": PASSWORD,
                "scope": "read write push",
            },
        )
        body = await response.get_json()
        assert response.status_code == 200, body
        assert body["token_type"] == "Bearer" and body["scope"] == "read write push"
        assert isinstance(body["created_at"], int)
        me = await client.get(
            "/api/v1/accounts/verify_credentials", headers=bearer(body["access_token"])
        )
        assert (await me.get_json())["username"] == "ada"
        stored = await models.OAuthToken.get(token_hash=oauth.digest(body["access_token"]))
        assert stored.scopes == "read write push"


async def test_password_grant_refuses_wrong_password_disabled_user_and_bad_client(
    client: Any,
) -> None:
    await make_user(client.app, "ada")
    app, secret = await make_app()
    base = {
        "grant_type": "password",
        "client_id": app.client_id,
        "client_secret": secret,
        "username": "ada",
    }
    wrong = await client.post("/oauth/token", form={**base, "password": "wrong password!"})
    assert wrong.status_code == 400 and (await wrong.get_json())["error"] == "invalid_grant"
    bad_client = await client.post(
        "/oauth/token", form={**base, "password": PASSWORD, "client_secret": "nope"}
    )
    assert (
        bad_client.status_code == 401 and (await bad_client.get_json())["error"] == "invalid_client"
    )
    too_wide = await client.post(
        "/oauth/token", form={**base, "password": PASSWORD, "scope": "admin:write"}
    )
    assert too_wide.status_code == 400 and (await too_wide.get_json())["error"] == "invalid_scope"
    await users.set_disabled("ada")
    disabled = await client.post("/oauth/token", form={**base, "password": PASSWORD})
    assert disabled.status_code == 400 and (await disabled.get_json())["error"] == "invalid_grant"
    unknown = await client.post("/oauth/token", form={**base, "grant_type": "refresh_token"})
    assert (
        unknown.status_code == 400
        and (await unknown.get_json())["error"] == "unsupported_grant_type"
    )


async def test_password_grant_guesses_from_many_addresses_lock_the_account_not_just_an_address(
    client: Any,
) -> None:
    await make_user(client.app, "ada")
    await make_user(client.app, "bob")
    app, secret = await make_app()
    base = {"grant_type": "password", "client_id": app.client_id, "client_secret": secret}

    async def grant(login: str, password: str, address: str) -> Any:
        return await client.post(
            "/oauth/token",
            form={**base, "username": login, "password": password},
            scope_base={"client": (address, 4000)},
        )

    # Given ten wrong guesses at one account, each from another address (by name and by e-mail)
    for i in range(10):
        login = "ada" if i % 2 else "ADA@uni.example"
        assert (await grant(login, "wrong password!", f"198.51.100.{i}")).status_code == 400
    # When the right password comes from an eleventh address, it is refused all the same
    late = await grant("ada", PASSWORD, "198.51.100.77")
    assert late.status_code == 429, await late.get_json()
    assert (await late.get_json())["error"] == "invalid_grant"
    # while another account, from that address, is not held back
    assert (await grant("bob", PASSWORD, "198.51.100.77")).status_code == 200


async def test_client_credentials_token_has_no_user_and_basic_auth_works(client: Any) -> None:
    app, secret = await make_app("read write")
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    response = await client.post(
        "/oauth/token",
        json={"grant_type": "client_credentials", "scope": "read"},
        headers={"Authorization": f"Basic {basic}"},
    )
    body = await response.get_json()
    assert response.status_code == 200, body
    who = await client.get("/api/v1/apps/verify_credentials", headers=bearer(body["access_token"]))
    assert (await who.get_json())["name"] == "Test app"
    me = await client.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(body["access_token"])
    )
    assert me.status_code == 422
    assert (await me.get_json())["error"] == "This method requires an authenticated user"


async def test_revoked_token_stops_working_and_revoke_needs_the_client(client: Any) -> None:
    await make_user(client.app, "ada")
    app, secret = await make_app()
    token = (
        await (
            await client.post(
                "/oauth/token",
                form={
                    "grant_type": "password",
                    "client_id": app.client_id,
                    "client_secret": secret,
                    "username": "ada",
                    "password": PASSWORD,
                },
            )
        ).get_json()
    )["access_token"]
    refused = await client.post(
        "/oauth/revoke", form={"client_id": app.client_id, "client_secret": "x", "token": token}
    )
    assert refused.status_code == 403
    still = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert still.status_code == 200
    done = await client.post(
        "/oauth/revoke", form={"client_id": app.client_id, "client_secret": secret, "token": token}
    )
    assert done.status_code == 200 and await done.get_json() == {}
    gone = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert gone.status_code == 401
    assert await gone.get_json() == {"error": "The access token is invalid"}


async def test_authorization_server_metadata_lists_what_is_supported(client: Any) -> None:
    response = await client.get("/.well-known/oauth-authorization-server")
    body = await response.get_json()
    assert body["issuer"] == "https://fedihub.test/"
    assert body["token_endpoint"] == "https://fedihub.test/oauth/token"
    assert body["app_registration_endpoint"] == "https://fedihub.test/api/v1/apps"
    assert set(body["grant_types_supported"]) == {
        "authorization_code",
        "password",
        "client_credentials",
    }
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert {"read", "write:statuses", "push", "follow"} <= set(body["scopes_supported"])
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_userinfo_answers_the_profile_scope_with_oidc_claims(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    metadata = await (await client.get("/.well-known/oauth-authorization-server")).get_json()
    assert metadata["userinfo_endpoint"] == "https://fedihub.test/oauth/userinfo"
    token = await make_token(ada, "profile")
    for method in ("GET", "POST"):
        response = await client.open("/oauth/userinfo", method=method, headers=bearer(token))
        assert response.status_code == 200
        claims = await response.get_json()
        assert claims["iss"] == "https://fedihub.test/"
        assert claims["sub"] == ada.actor.uri and claims["preferred_username"] == "ada"
        assert claims["profile"] == "https://fedihub.test/@ada" and claims["picture"]
    assert (await client.get("/oauth/userinfo")).status_code == 401
    read_only = await make_token(ada, "read")
    assert (await client.get("/oauth/userinfo", headers=bearer(read_only))).status_code == 403
