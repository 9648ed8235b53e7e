"""Two real nodes over loopback, one blocking the other with `fedihub domain block`: the blocked
node's activities are refused (403), what was stored of it is dropped, and nothing is delivered to
it; `fedihub domain export` and `import` carry the block to a third data set."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from fedihub.moderation import policy
from tests.federation.nodes import Account, Node, eventually

pytestmark = pytest.mark.federation


async def _home_has(account: Account, text: str) -> dict[str, Any] | None:
    timeline = await account.api("GET", "/api/v1/timelines/home")
    return next((s for s in timeline if text in s["content"]), None)


async def _follow(who: Account, whom: Account) -> None:
    target = await who.lookup(whom.handle)
    await who.api("POST", f"/api/v1/accounts/{target['id']}/follow")

    async def accepted() -> bool:
        rel = await who.api("GET", "/api/v1/accounts/relationships", params={"id[]": target["id"]})
        return bool(rel[0]["following"])

    await eventually(accepted, what=f"{whom.handle} to accept {who.handle}'s follow")


def _deliveries(node: Node) -> list[str]:
    """The delivery lines of `fedihub jobs status` (kind, state, count)."""
    return [line for line in node.cli("jobs", "status").splitlines() if line.startswith("deliver")]


async def _refused_by(node: Node) -> float:
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{node.base}/metrics")).text
    pattern = r'fedihub_inbox_total\{[^}]*outcome="rejected"[^}]*reason="Forbidden"[^}]*\} (\S+)'
    return sum(float(v) for v in re.findall(pattern, text))


async def test_a_blocked_node_is_refused_and_gets_nothing(node_pair: tuple[Node, Node]) -> None:
    a, b = node_pair
    ada = await a.account("ada")
    bob = await b.account("bob")
    # Given ada and bob follow each other, and bob sees ada's posts
    await _follow(bob, ada)
    await _follow(ada, bob)
    await ada.post("before the block")
    await eventually(lambda: _home_has(bob, "before the block"), what="ada's post on B")

    # When B blocks A from its command line
    out = b.cli("domain", "block", a.domain, "--public-comment", "test block")
    assert f"{a.domain}: suspend" in out
    await asyncio.sleep(policy.REFRESH_S + 0.5)  # the serving process rereads the policy

    # Then A's activities are refused with 403, and what B stored of A is dropped
    await ada.post("after the block")
    await eventually(lambda: _refused_by(b), what="B to refuse A's delivery")

    async def forgotten() -> bool:
        found = await bob.api(
            "GET", "/api/v1/accounts/lookup", params={"acct": ada.handle}, expect=None
        )
        return found is not None and found.get("error") is not None

    await eventually(forgotten, what="B to drop ada's account")
    assert await _home_has(bob, "before the block") is None
    assert await _home_has(bob, "after the block") is None

    # and B delivers nothing to A: bob's post never reaches ada, and no delivery was queued
    queued_before = _deliveries(b)
    await bob.post("not for A")
    await asyncio.sleep(2)
    assert await _home_has(ada, "not for A") is None
    assert _deliveries(b) == queued_before

    # the blocklist round-trips through Mastodon's CSV
    exported = b.cli("domain", "export")
    assert exported.splitlines()[1] == f"{a.domain},suspend,false,false,test block,false"
    assert a.domain in b.cli("domain", "list")
    assert f"{a.domain}: unblocked" in b.cli("domain", "unblock", a.domain)
    (b.root / "blocks.csv").write_text(exported)
    assert "imported 1 domain block(s)" in b.cli("domain", "import", str(b.root / "blocks.csv"))

    # every command is in the audit log, as the command line's
    root = await b.account("root", admin=True, scopes="read admin:read")
    log = await root.api("GET", "/api/fedihub/v1/admin/audit_log")
    assert [e["action"] for e in reversed(log)] == ["create", "export", "destroy", "import"]
    assert {(e["account"], e["ip"]) for e in log} == {("(command line)", "cli")}
