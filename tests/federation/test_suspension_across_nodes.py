"""A suspension crosses two real nodes: A's admin suspends ada through the admin API; her token
stops at once, B hears the Delete of her actor and forgets her; the audit log on A records it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.nodes import Node, eventually

pytestmark = pytest.mark.federation
ADMIN_SCOPES = "read write admin:read admin:write"


async def test_a_local_suspension_federates_and_stops_the_token(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    ada = await a.account("ada")
    root = await a.account("root", admin=True, scopes=ADMIN_SCOPES)
    bob = await b.account("bob")
    remote_ada = await bob.lookup(ada.handle)
    await bob.api("POST", f"/api/v1/accounts/{remote_ada['id']}/follow")

    async def followed() -> bool:
        rel = await bob.api(
            "GET", "/api/v1/accounts/relationships", params={"id[]": remote_ada["id"]}
        )
        return bool(rel[0]["following"])

    await eventually(followed, what="ada's node to accept bob's follow")

    await root.api(
        "POST", f"/api/v1/admin/accounts/{ada.id}/action", data={"type": "suspend", "text": "spam"}
    )

    await ada.api("GET", "/api/v1/accounts/verify_credentials", expect=401)

    async def forgotten() -> bool:
        found: dict[str, Any] = await bob.api(
            "GET", f"/api/v1/accounts/{remote_ada['id']}", expect=None
        )
        return "error" in found

    await eventually(forgotten, what="B to forget the suspended account")
    log = await root.api("GET", "/api/fedihub/v1/admin/audit_log")
    assert [(e["account"], e["action"], e["target"]) for e in log] == [("root", "suspend", "ada")]
