"""Request bodies the API cannot read are treated as no body, never a 500 (found by tests/fuzz):
a JSON body that is not UTF-8, and one nested past the interpreter's recursion limit."""

from __future__ import annotations

from typing import Any

import pytest
from apikit import bearer, make_token, make_user

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "body",
    [b"\x80", b'{"status": "caf\xe9"}', b"[" * 100_000 + b"]" * 100_000],
    ids=["lone byte", "latin-1", "deep"],
)
async def test_an_unreadable_json_body_is_no_body_not_a_500(client: Any, body: bytes) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    posted = await client.post("/api/v1/statuses", data=body, headers={**JSON, **bearer(token)})
    assert posted.status_code == 422  # no status text: Mastodon's "can't be blank"
    revoked = await client.post("/oauth/revoke", data=body, headers=JSON)
    assert revoked.status_code < 500
    token_grant = await client.post("/oauth/token", data=body, headers=JSON)
    assert 400 <= token_grant.status_code < 500


async def test_a_nul_character_in_any_parameter_is_a_422_naming_it(client: Any) -> None:
    # PostgreSQL's text columns refuse U+0000: each of these was a 500 there (found by tests/fuzz)
    ada = await make_user(client.app, "ada")
    headers = bearer(await make_token(ada))
    for method, path, kwargs, name in (
        ("POST", "/api/v1/statuses", {"json": {"status": "a\x00b"}}, "status"),
        (
            "POST",
            "/api/v1/statuses",
            {"form": {"status": "ok", "spoiler_text": "\x00"}},
            "spoiler_text",
        ),
        ("POST", "/api/v1/lists", {"json": {"title": ["a", {"x": "\x00"}]}}, "title"),
        ("PATCH", "/api/v1/accounts/update_credentials", {"json": {"note": "\x00"}}, "note"),
        ("GET", "/api/v2/search", {"query_string": {"q": "a\x00"}}, "q"),
        ("POST", "/api/v1/apps", {"json": {"client_name\x00": "x"}}, "client_name\x00"),
    ):
        answer = await client.open(path, method=method, headers=headers, **kwargs)
        assert answer.status_code == 422, (path, answer.status_code)
        error = (await answer.get_json())["error"]
        assert "NUL" in error and name in error, (path, error)
    ok = await client.post("/api/v1/statuses", json={"status": "no nul here"}, headers=headers)
    assert ok.status_code == 200
