"""Bearer tokens and scopes, CORS, preflights, trailing slashes and the rate-limit budget."""

from __future__ import annotations

from typing import Any

from apikit import bearer, make_token, make_user

from fedihub import models
from fedihub.accounts import oauth, users
from fedihub.api.auth import OUT_OF_SCOPE
from fedihub.security.api_budget import MemoryApiLimiter
from fedihub.web.common import RUNTIME_KEY

ME = "/api/v1/accounts/verify_credentials"


async def test_missing_or_unknown_token_is_401_with_mastodon_message(client: Any) -> None:
    for headers in ({}, bearer("not-a-token"), {"Authorization": "Bearer "}):
        response = await client.get(ME, headers=headers)
        assert response.status_code == 401, headers
        assert await response.get_json() == {"error": "The access token is invalid"}


async def test_token_outside_its_scopes_is_403(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada, "write:statuses")
    response = await client.get(ME, headers=bearer(token))
    assert response.status_code == 403
    assert await response.get_json() == {"error": "This action is outside the authorized scopes"}
    patch = await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=bearer(await make_token(ada, "read")),
        form={"note": "x"},
    )
    assert patch.status_code == 403


async def test_granular_and_umbrella_and_profile_scopes_are_honoured(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    for scopes in ("read", "read:accounts", "profile", "read:statuses read:accounts"):
        response = await client.get(ME, headers=bearer(await make_token(ada, scopes)))
        assert response.status_code == 200, scopes
    target = await make_user(client.app, "bob")
    follow_token = await make_token(ada, "follow")
    blocked = await client.post(
        f"/api/v1/accounts/{target.actor.id}/block", headers=bearer(follow_token)
    )
    assert blocked.status_code == 200  # follow implies write:blocks, as in Mastodon
    assert oauth.allows("follow", "read:mutes") and not oauth.allows("follow", "write:statuses")


async def test_tokens_without_a_read_scope_cannot_read_their_owners_private_posts(
    client: Any,
) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    writer = await make_token(ada, "write:statuses")
    ids = []
    for visibility, text in (("direct", "@bob the secret result"), ("private", "lab only")):
        made = await client.post(
            "/api/v1/statuses",
            json={"status": text, "visibility": visibility},
            headers=bearer(writer),
        )
        ids.append((await made.get_json())["id"])
    reads = [
        f"/api/v1/accounts/{ada.actor_id}/statuses",
        *(f"/api/v1/statuses/{i}" for i in ids),
        *(f"/api/v1/statuses/{i}/context" for i in ids),
        "/api/v2/search?q=secret",
    ]
    for scopes in ("profile", "push", "write:media", "read:accounts"):
        token = await make_token(ada, scopes)
        for path in reads:
            response = await client.get(path, headers=bearer(token))
            assert response.status_code == 403, (scopes, path)
            assert await response.get_json() == {"error": OUT_OF_SCOPE}
    # the same token with a read scope reads them, and search needs read:search
    reader = await make_token(ada, "read:statuses")
    timeline = await client.get(reads[0], headers=bearer(reader))
    assert {s["id"] for s in await timeline.get_json()} == set(ids)
    for path in reads[1:-1]:
        assert (await client.get(path, headers=bearer(reader))).status_code == 200, path
    assert (await client.get(reads[-1], headers=bearer(reader))).status_code == 403
    searcher = await make_token(ada, "read:search")
    assert (await client.get(reads[-1], headers=bearer(searcher))).status_code == 200
    assert bob


async def test_token_in_query_or_form_parameter_is_accepted(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    response = await client.get(f"{ME}?access_token={token}")
    assert response.status_code == 200
    patched = await client.patch(
        "/api/v1/accounts/update_credentials", form={"access_token": token, "note": "hi"}
    )
    assert patched.status_code == 200, await patched.get_json()


async def test_disabled_users_token_fails_and_last_use_is_recorded(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    assert (await client.get(ME, headers=bearer(token))).status_code == 200
    row = await models.OAuthToken.get(token_hash=oauth.digest(token))
    assert row.last_used_at is not None
    await users.set_disabled("ada")
    response = await client.get(ME, headers=bearer(token))
    assert response.status_code == 401


async def test_cors_headers_and_preflight_on_api_and_token_paths(client: Any) -> None:
    for path in ("/api/v1/instance", "/oauth/token", "/api/v1/accounts/1/follow"):
        preflight = await client.options(
            path,
            headers={
                "Origin": "https://elk.zone",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code in (200, 204), path
        assert preflight.headers["Access-Control-Allow-Origin"] == "*"
        assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    response = await client.get("/api/v1/instance", headers={"Origin": "https://elk.zone"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response.headers["Access-Control-Expose-Headers"]
    page = await client.get("/")
    assert "Access-Control-Allow-Origin" not in page.headers


async def test_every_api_route_answers_with_a_trailing_slash(client: Any) -> None:
    for path in (
        "/api/v1/instance/",
        "/api/v2/instance/",
        "/api/v1/instance/peers/",
        "/api/v1/custom_emojis/",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path


async def test_rate_limit_headers_and_429_when_the_budget_is_spent(client: Any) -> None:
    client.app.extensions[RUNTIME_KEY].api_limiter = MemoryApiLimiter(limit=3, window_s=300)
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    remaining = []
    for _ in range(3):
        response = await client.get(ME, headers=bearer(token))
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Reset"].endswith("Z")
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]
    over = await client.get(ME, headers=bearer(token))
    assert over.status_code == 429
    assert await over.get_json() == {"error": "Too many requests"}
    # another token (and anonymous callers) keep their own budgets
    other = await client.get(ME, headers=bearer(await make_token(ada)))
    assert other.status_code == 200


async def test_params_arrive_alike_as_form_json_multipart_and_query(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    for kwargs in (
        {"form": {"display_name": "A1"}},
        {"json": {"display_name": "A2"}},
        {"files": {}, "form": {"display_name": "A3"}},
        {"query_string": {"display_name": "A4"}},
    ):
        response = await client.patch(
            "/api/v1/accounts/update_credentials", headers=bearer(token), **kwargs
        )
        body = await response.get_json()
        assert response.status_code == 200, body
    assert body["display_name"] == "A4"


async def test_made_up_tokens_do_not_buy_unlimited_requests_from_one_address(client: Any) -> None:
    client.app.extensions[RUNTIME_KEY].api_limiter = MemoryApiLimiter(limit=2, window_s=300)
    statuses = [
        (await client.get(ME, headers=bearer(f"made-up-{i}"))).status_code for i in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


async def test_authorize_pages_cannot_be_framed(client: Any) -> None:
    from apikit import REDIRECT, make_app

    app, _ = await make_app()
    page = await client.get(
        f"/oauth/authorize?client_id={app.client_id}&redirect_uri={REDIRECT}&response_type=code"
    )
    assert page.status_code == 200
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "Cross-Origin-Opener-Policy" not in page.headers
