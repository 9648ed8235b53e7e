"""A Mastodon-style follower (bovine-herd, a real third-party server) of a public project: its
Follow is accepted by the project's Group, and the project's top-level posts reach it as
Announces of the post's id (what Mastodon understands)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.nodes import Node
from tests.peers.bovine import BovinePeer

pytestmark = pytest.mark.federation
P = "/api/fedihub/v1/projects"


async def test_a_bovine_follower_of_a_public_project_gets_its_posts_as_announces(
    node: Node, bovine_peer: BovinePeer
) -> None:
    ada = await node.account("ada")
    project = await ada.api("POST", P, json={"handle": "openlab", "name": "Open lab"})

    # Given bovine follows the public project: the Group accepts at once
    follow_id = await bovine_peer.follow(project["uri"])
    accept = await bovine_peer.wait_for_inbox(lambda a: a.get("type") == "Accept")
    inner = accept["object"]
    assert (inner if isinstance(inner, str) else inner.get("id")) == follow_id
    assert accept["actor"] == project["uri"]

    # When a member posts to the project
    post = await ada.api("POST", f"{P}/{project['id']}/statuses", json={"status": "We are open"})

    # Then bovine gets the Group's Announce of the post (bovine keeps it with the post embedded)
    def announces_post(activity: dict[str, Any]) -> bool:
        obj = activity.get("object")
        shared = obj.get("id") if isinstance(obj, dict) else obj
        return (
            activity.get("type") == "Announce"
            and activity.get("actor") == project["uri"]
            and shared == post["uri"]
        )

    announce = await bovine_peer.wait_for_inbox(announces_post)
    assert announce["object"]["attributedTo"] == ada.uri
