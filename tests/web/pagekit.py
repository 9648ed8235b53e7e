"""Helpers for page tests (imported as `pagekit`): users, CSRF tokens read from forms, sign-in."""

from __future__ import annotations

import re
from typing import Any

from fedihub import models
from fedihub.accounts import node_settings, users
from fedihub.web.common import RUNTIME_KEY

PASSWORD = "correct horse battery"
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


async def page_token(client: Any, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200, path
    return csrf_from(await response.get_data(as_text=True))


async def make_user(
    app: Any, username: str = "ada", email: str | None = None, **kw: Any
) -> models.User:
    rt = app.extensions[RUNTIME_KEY]
    return await users.create(rt, username, email or f"{username}@uni.example", PASSWORD, **kw)


async def sign_in(client: Any, login: str, password: str = PASSWORD) -> Any:
    token = await page_token(client, "/auth/sign_in")
    return await client.post(
        "/auth/sign_in", form={"login": login, "password": password, "csrf_token": token}
    )


async def set_mode(mode: str) -> None:
    value = node_settings.RegistrationMode(mode).value
    await node_settings.set_value("registration_mode", value)
    assert await node_settings.registration_mode() == value
