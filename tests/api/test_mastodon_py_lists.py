"""Mastodon.py against a real node: lists (create, update, members, the list timeline paged by its
Link headers, the list stream, delete) and followed hashtags (follow, list them, unfollow)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_node import LiveNode, live_node
from test_mastodon_py_media_streaming import STREAM_TIMEOUT_S, _client, _Updates


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    with live_node(tmp_path_factory.mktemp("mastodon_py_lists")) as running:
        yield running


def test_list_round_trip_members_timeline_pages_and_stream(node: LiveNode) -> None:
    api = _client(node)
    me = api.me()

    # a list, renamed and made exclusive; its owner may be its member
    made = api.list_create("Lab", replies_policy="followed")
    assert (made["title"], made["replies_policy"], made["exclusive"]) == ("Lab", "followed", False)
    changed = api.list_update(made, "Lab group", replies_policy="list", exclusive=True)
    assert (changed["title"], changed["replies_policy"], changed["exclusive"]) == (
        "Lab group",
        "list",
        True,
    )
    assert [row["id"] for row in api.lists()] == [made["id"]]
    api.list_accounts_add(made, [me])
    assert [a["id"] for a in api.list_accounts(made)] == [me["id"]]
    assert [row["id"] for row in api.account_lists(me)] == [made["id"]]

    # the list timeline, newest first, paged by the Link header
    older = api.status_post("first on the list")
    newer = api.status_post("second on the list", visibility="private")
    first_page = api.timeline_list(made, limit=1)
    assert [s["id"] for s in first_page] == [newer["id"]]
    second_page = api.fetch_next(first_page)
    assert [s["id"] for s in second_page] == [older["id"]]

    # the list stream hears a new post of a member
    listener = _Updates("posted while listening")
    handle = api.stream_list(
        made["id"], listener, run_async=True, timeout=STREAM_TIMEOUT_S, reconnect_async=False
    )
    try:
        assert listener.opened.wait(STREAM_TIMEOUT_S), "the list stream did not open"
        posted = api.status_post("posted while listening to the list")
        assert listener.heard.wait(STREAM_TIMEOUT_S), "no update event arrived on the list stream"
        assert listener.ids == [str(posted["id"])]
    finally:
        handle.close()

    api.list_accounts_delete(made, [me])
    assert api.list_accounts(made) == []
    api.list_delete(made)
    assert api.lists() == []


def test_followed_hashtag_round_trip(node: LiveNode) -> None:
    api = _client(node)
    followed = api.tag_follow("OpenScience")
    assert followed["name"] == "openscience" and followed["following"] is True
    assert [t["name"] for t in api.followed_tags()] == ["openscience"]
    assert api.tag("openscience")["following"] is True
    unfollowed = api.tag_unfollow("openscience")
    assert unfollowed["following"] is False
    assert api.followed_tags() == []
