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


def tiny_png() -> bytes:
    """A valid 1x1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


async def post(client: Any, path: str, form: dict[str, str], token_from: str = "/home") -> Any:
    """POST a form with the CSRF token of `token_from`'s page."""
    token = await page_token(client, token_from)
    return await client.post(path, form={**form, "csrf_token": token})
