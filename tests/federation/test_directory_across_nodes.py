"""The expertise directory across two real nodes: node A reads node B's public directory, so a
researcher on A finds an expert on B whom nobody on A follows, and sees which node she is on;
a researcher on B who opts out disappears from A's directory at the next read."""

from __future__ import annotations

import pytest

from tests.federation.nodes import Node

pytestmark = pytest.mark.federation


async def test_a_search_finds_an_expert_known_only_through_the_peers_directory(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    alice = await a.account("alice")
    bob = await b.account("bob")
    mei = await b.account("mei")
    await mei.api(
        "PATCH",
        "/api/v1/accounts/update_credentials",
        json={
            "display_name": "Mei Chen",
            "fields_attributes": {
                "0": {"name": "Research areas", "value": "Graph neural networks, 蛋白质结构"},
                "1": {"name": "Affiliation", "value": "Institute of Physics"},
            },
        },
    )
    # A learns that B runs fedihub when alice looks bob up (nobody on A ever hears of mei)
    await alice.lookup(bob.handle)
    b.cli("directory", "sync")
    printed = a.cli("directory", "sync")
    assert f"{b.domain}: " in printed and "entries read" in printed

    found = await alice.api(
        "GET", "/api/fedihub/v1/directory", params={"area": "graph neural networks"}
    )
    assert [e["acct"] for e in found] == [f"mei@{b.domain}"]
    assert found[0]["node"] == b.domain and found[0]["affiliation"] == "Institute of Physics"
    assert found[0]["account_id"] is None  # known from the directory only, not yet looked up
    chinese = await alice.api("GET", "/api/fedihub/v1/directory", params={"q": "蛋白质"})
    assert [e["acct"] for e in chinese] == [f"mei@{b.domain}"]
    # and she can be followed from there: her address resolves like any other
    resolved = await alice.lookup(f"mei@{b.domain}")
    assert resolved["display_name"] == "Mei Chen"

    # mei opts out on B: at the next reads she leaves B's directory and then A's
    await mei.api("PATCH", "/api/v1/accounts/update_credentials", json={"discoverable": False})
    b.cli("directory", "sync")
    a.cli("directory", "sync")
    gone = await alice.api(
        "GET", "/api/fedihub/v1/directory", params={"area": "graph neural networks"}
    )
    assert gone == []
