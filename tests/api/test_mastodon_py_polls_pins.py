"""Mastodon.py against a live node: a poll posted, read and voted on (and refused as Mastodon
refuses), pins made, listed and undone, a video uploaded with its preview."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from avkit import mp4
from live_node import LiveNode, live_node
from mastodon import Mastodon, MastodonAPIError


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    with live_node(tmp_path_factory.mktemp("mastodon_py_polls"), others=("bob",)) as running:
        yield running


def _client(node: LiveNode, login: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "fedihub tests", scopes=["read", "write"], api_base_url=node.base_url
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=node.base_url)
    api.log_in(login, node.password, scopes=["read", "write"], allow_http=True)
    return api


def test_a_poll_posted_read_and_voted_on(node: LiveNode) -> None:
    ada, bob = _client(node, node.username), _client(node, "bob")
    poll = ada.make_poll(["tea", "coffee", "water"], expires_in=600, multiple=True)
    posted = ada.status_post("What do you drink while writing?", poll=poll)
    assert [o["title"] for o in posted["poll"]["options"]] == ["tea", "coffee", "water"]
    assert posted["poll"]["multiple"] and posted["poll"]["voted"]
    voted = bob.poll_vote(posted["poll"]["id"], [0, 2])
    assert voted["own_votes"] == [0, 2] and voted["votes_count"] == 2 and voted["voters_count"] == 1
    assert ada.poll(posted["poll"]["id"])["options"][2]["votes_count"] == 1
    with pytest.raises(MastodonAPIError, match="You have already voted on this poll"):
        bob.poll_vote(posted["poll"]["id"], [0])
    with pytest.raises(MastodonAPIError, match="You cannot vote in your own polls"):
        ada.poll_vote(posted["poll"]["id"], [1])
    with pytest.raises(MastodonAPIError, match="Poll options must have more than one item"):
        ada.status_post("One choice", poll=ada.make_poll(["only"], expires_in=600))


def test_pins_made_listed_and_undone(node: LiveNode) -> None:
    ada = _client(node, node.username)
    me = ada.account_verify_credentials()
    status = ada.status_post("Read this first")
    assert ada.status_pin(status["id"])["pinned"] is True
    pinned = ada.account_statuses(me["id"], pinned=True)
    assert [s["id"] for s in pinned] == [status["id"]]
    assert ada.status_unpin(status["id"])["pinned"] is False
    assert ada.account_statuses(me["id"], pinned=True) == []


def test_a_video_uploaded_with_its_preview(node: LiveNode, tmp_path: Path) -> None:
    ada = _client(node, node.username)
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4())
    media = ada.media_post(str(path), mime_type="video/mp4", description="A red square")
    assert media["type"] == "video" and media["preview_url"] != media["url"]
    assert media["meta"]["fps"] == 10 and media["meta"]["original"]["frame_rate"] == "10/1"
    posted = ada.status_post("A clip", media_ids=[media["id"]])
    assert posted["media_attachments"][0]["blurhash"]
