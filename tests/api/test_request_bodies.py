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
