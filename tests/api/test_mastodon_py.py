"""Mastodon.py, a real client library, against a real node: register, log in, read and update."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_node import LiveNode, live_node
from mastodon import Mastodon


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    with live_node(tmp_path_factory.mktemp("mastodon_py")) as running:
        yield running


def _client(node: LiveNode, tmp_path: Path, login: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "fedihub tests",
        scopes=["read", "write", "follow", "push"],
        api_base_url=node.base_url,
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=node.base_url)
    # allow_http: the test node is plain http on loopback; Mastodon.py insists on https otherwise
    token = api.log_in(
        login, node.password, scopes=["read", "write", "follow", "push"], allow_http=True
    )
    assert token
    return api


def test_log_in_with_username_and_read_own_account_and_instance(
    node: LiveNode, tmp_path: Path
) -> None:
    api = _client(node, tmp_path, node.username)
    me = api.account_verify_credentials()
    assert me["username"] == node.username and me["acct"] == node.username
    instance = api.instance()
    assert instance["version"].startswith("4.3.0")
    assert api.account_lookup(node.username)["id"] == me["id"]
    assert api.account(me["id"])["username"] == node.username


def test_log_in_with_email_and_update_the_profile(node: LiveNode, tmp_path: Path) -> None:
    api = _client(node, tmp_path, node.email)
    updated = api.account_update_credentials(
        note="Studying engines", fields=[("Home", "https://ada.example")]
    )
    assert updated["note"] == "<p>Studying engines</p>"
    assert updated["source"]["note"] == "Studying engines"
    assert api.account_verify_credentials()["fields"][0]["name"] == "Home"
    assert api.account_relationships([updated["id"]])[0]["following"] is False


def test_wrong_password_is_refused(node: LiveNode) -> None:
    from mastodon import MastodonIllegalArgumentError

    client_id, client_secret = Mastodon.create_app("fedihub tests", api_base_url=node.base_url)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=node.base_url)
    with pytest.raises(MastodonIllegalArgumentError):
        api.log_in(node.username, "wrong password here", allow_http=True)


def test_schedule_list_move_and_cancel_a_status(node: LiveNode, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    api = _client(node, tmp_path, node.username)
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    later = api.status_post("Colloquium reminder", visibility="unlisted", scheduled_at=at)
    assert later["scheduled_at"] == at and later["params"]["text"] == "Colloquium reminder"
    assert [s["id"] for s in api.scheduled_statuses()] == [later["id"]]
    moved = api.scheduled_status_update(later["id"], at + timedelta(days=1))
    assert moved["scheduled_at"] == at + timedelta(days=1)
    assert api.scheduled_status(later["id"])["scheduled_at"] == moved["scheduled_at"]
    api.scheduled_status_delete(later["id"])
    assert api.scheduled_statuses() == []
