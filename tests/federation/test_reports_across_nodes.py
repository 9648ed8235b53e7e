"""A report crosses two real nodes: a user on A reports an account on B with `forward`, A sends a
Flag from its instance actor, B's moderators find it through the admin API and resolve it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.nodes import Node, eventually

pytestmark = pytest.mark.federation
ADMIN_SCOPES = "read write admin:read admin:write"


async def test_a_forwarded_report_reaches_the_other_nodes_moderators(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    ada = await a.account("ada")
    bob = await b.account("bob")
    root = await b.account("root", admin=True, scopes=ADMIN_SCOPES)
    post = await bob.post("a dubious claim")
    found = await ada.api(
        "GET", "/api/v2/search", params={"q": post["uri"], "resolve": "true", "type": "statuses"}
    )
    remote_status = found["statuses"][0]
    remote_bob = await ada.lookup(bob.handle)

    filed = await ada.api(
        "POST",
        "/api/v1/reports",
        json={
            "account_id": remote_bob["id"],
            "status_ids": [remote_status["id"]],
            "comment": "misleading",
            "forward": True,
        },
    )
    assert filed["forwarded"] is True

    async def arrived() -> list[dict[str, Any]] | None:
        listed: list[dict[str, Any]] = await root.api("GET", "/api/v1/admin/reports")
        return listed or None

    (report,) = await eventually(arrived, what="the Flag to reach B's moderators")
    assert report["comment"] == "misleading"
    assert report["target_account"]["username"] == "bob"
    assert [s["id"] for s in report["statuses"]] == [post["id"]]
    assert report["account"]["domain"] == a.domain  # reported by A's instance actor

    resolved = await root.api(
        "POST", f"/api/v1/admin/reports/{report['id']}/resolve", data={"text": "Hidden"}
    )
    assert resolved["action_taken"] is True
