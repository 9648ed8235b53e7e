"""Helpers for API tests (imported as `apikit`): users and tokens made through the services."""

from __future__ import annotations

from typing import Any

from fedihub import models
from fedihub.accounts import node_settings, oauth, users
from fedihub.web.common import RUNTIME_KEY

PASSWORD = "correct horse battery"
REDIRECT = "https://app.example/callback"


async def make_user(app: Any, username: str = "ada", **kw: Any) -> models.User:
    user = await users.create(
        app.extensions[RUNTIME_KEY], username, f"{username}@uni.example", PASSWORD, **kw
    )
    await user.fetch_related("actor")
    return user


async def make_app(scopes: str = "read write follow push") -> tuple[models.OAuthApp, str]:
    return await oauth.create_app("Test app", [REDIRECT, oauth.OOB], scopes, "https://app.example")


async def make_token(user: models.User | None, scopes: str = "read write follow push") -> str:
    app, _ = await make_app(scopes)
    plain, _ = await oauth.issue_token(app, user.id if user else None, scopes.split())
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def remote_actor(username: str, domain: str, **kw: Any) -> models.Actor:
    return await models.Actor.create(
        uri=f"https://{domain}/users/{username}",
        username=username,
        domain=domain,
        inbox=f"https://{domain}/users/{username}/inbox",
        **kw,
    )


async def set_setting(key: str, value: object) -> None:
    await node_settings.set_value(key, value)


async def json_of(response: Any, status: int = 200) -> Any:
    """The JSON body of a response that must have `status`."""
    assert response.status_code == status, (response.status_code, await response.get_data())
    return await response.get_json()


async def post_status(client: Any, token: str, **body: Any) -> str:
    """POST /api/v1/statuses; the new status's id."""
    made = await json_of(await client.post("/api/v1/statuses", json=body, headers=bearer(token)))
    return str(made["id"])
