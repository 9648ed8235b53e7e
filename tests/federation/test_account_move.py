"""Moving an account between two real nodes: ada on A names her new account bea on B, which
lists her as an alias; ada's followers on A and on B end up following bea, with a `move`
notification, and both nodes show ada as moved. B's side is the Mastodon-style arrival: a Move
from a remote account into a local one that lists it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.nodes import Account, Node, eventually

pytestmark = pytest.mark.federation


async def _follows(who: Account, account_id: str) -> bool:
    rel = await who.api("GET", "/api/v1/accounts/relationships", params={"id[]": account_id})
    return bool(rel[0]["following"])


async def _move_note(who: Account) -> dict[str, Any] | None:
    notes = await who.api("GET", "/api/v1/notifications", params={"types[]": "move"})
    return notes[0] if notes else None


async def test_followers_on_both_nodes_follow_the_new_account_after_a_move(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    ada, amy = await a.account("ada"), await a.account("amy")
    bea, bob = await b.account("bea"), await b.account("bob")

    # Given ada on A is followed by amy on A and bob on B
    await amy.api("POST", f"/api/v1/accounts/{ada.id}/follow")
    ada_on_b = await bob.lookup(ada.handle)
    await bob.api("POST", f"/api/v1/accounts/{ada_on_b['id']}/follow")
    await eventually(lambda: _follows(bob, ada_on_b["id"]), what="bob to follow ada")

    # a move to an account that does not list ada is refused, and nothing changes
    refused = await ada.api(
        "POST", "/api/fedihub/v1/account/move", json={"acct": bea.handle}, expect=422
    )
    assert "does not list" in refused["error"]

    # When bea on B lists ada as an alias, and ada moves to bea
    alias = await bea.api("POST", "/api/fedihub/v1/account/aliases", json={"acct": ada.handle})
    assert alias["uri"] == ada.uri
    moved = await ada.api("POST", "/api/fedihub/v1/account/move", json={"acct": bea.handle})
    assert moved["moved"]["acct"] == bea.handle

    # Then amy (same node as ada) follows bea on B, and no longer ada
    bea_on_a = await amy.lookup(bea.handle)
    await eventually(lambda: _follows(amy, bea_on_a["id"]), what="amy to follow bea")
    assert not await _follows(amy, ada.id)
    note = await eventually(lambda: _move_note(amy), what="amy's move notification")
    assert note["account"]["acct"] == "ada" and note["target"]["acct"] == bea.handle

    # and bob (on bea's node) received the Move, follows bea, no longer ada
    await eventually(lambda: _follows(bob, bea.id), what="bob to follow bea")
    assert not await _follows(bob, ada_on_b["id"])
    note = await eventually(lambda: _move_note(bob), what="bob's move notification")
    assert note["account"]["acct"] == ada.handle and note["target"]["acct"] == "bea"

    async def bea_has_both() -> bool:
        followers = await bea.api("GET", f"/api/v1/accounts/{bea.id}/followers")
        return {f["acct"] for f in followers} == {"bob", amy.handle}

    await eventually(bea_has_both, what="bea's followers to be amy and bob")
    shown = await bob.api("GET", f"/api/v1/accounts/{ada_on_b['id']}")
    assert shown["moved"]["acct"] == "bea"

    # ada, moved, posts no more
    await ada.api("POST", "/api/v1/statuses", json={"status": "still here?"}, expect=403)
