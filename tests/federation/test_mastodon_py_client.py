"""Mastodon.py, a real client library, drives a node that federates with a second node: register an
app, log in, post, read timelines, follow a remote account, see the follow-back and a mention,
search, delete."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from mastodon import Mastodon

from tests.federation.nodes import PASSWORD, Node, eventually

pytestmark = pytest.mark.federation


def _client(node: Node, username: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "fedihub tests", api_base_url=node.base, scopes=["read", "write", "follow", "push"]
    )
    api = Mastodon(
        client_id=client_id,
        client_secret=client_secret,
        api_base_url=node.base,
        version_check_mode="none",
    )
    # allow_http: the test nodes are plain http on loopback; Mastodon.py insists on https otherwise
    api.log_in(username, PASSWORD, scopes=["read", "write", "follow", "push"], allow_http=True)
    return api


async def test_mastodon_py_follows_a_remote_account_and_sees_follow_back_and_mention(
    node_pair: tuple[Node, Node],
) -> None:
    a, b = node_pair
    await a.account("alice")
    bob = await b.account("bob")
    api = await asyncio.to_thread(_client, a, "alice")

    me = await asyncio.to_thread(api.account_verify_credentials)
    assert me["acct"] == "alice"
    posted = await asyncio.to_thread(api.status_post, "hello from Mastodon.py", visibility="public")
    home = await asyncio.to_thread(api.timeline_home)
    assert posted["id"] in [s["id"] for s in home]
    public = await asyncio.to_thread(api.timeline_public, local=True)
    assert posted["id"] in [s["id"] for s in public]

    # follow bob on the other node, found with a resolving search
    found = await asyncio.to_thread(api.search_v2, bob.handle, resolve=True)
    assert [acc["acct"] for acc in found["accounts"]] == [bob.handle]
    relationship = await asyncio.to_thread(api.account_follow, found["accounts"][0]["id"])
    assert relationship["following"] or relationship["requested"]

    # bob follows back and mentions alice
    remote_alice = await bob.lookup(f"alice@{a.domain}")
    await bob.api("POST", f"/api/v1/accounts/{remote_alice['id']}/follow")
    await bob.post(f"@alice@{a.domain} welcome to the project")

    async def notified() -> set[str] | None:
        kinds = {n["type"] for n in await asyncio.to_thread(api.notifications)}
        return kinds if {"follow", "mention"} <= kinds else None

    await eventually(notified, what="follow-back and mention notifications")
    mentions = await asyncio.to_thread(api.notifications, types=["mention"])
    assert mentions[0]["account"]["acct"] == bob.handle
    assert "welcome to the project" in mentions[0]["status"]["content"]

    # search finds the local post by text; delete answers the source text for redrafting
    hits = await asyncio.to_thread(api.search_v2, "Mastodon.py", result_type="statuses")
    assert posted["id"] in [s["id"] for s in hits["statuses"]]
    deleted: dict[str, Any] = await asyncio.to_thread(api.status_delete, posted["id"])
    assert deleted["text"] == "hello from Mastodon.py"
    home_after = await asyncio.to_thread(api.timeline_home)
    assert posted["id"] not in [s["id"] for s in home_after]
