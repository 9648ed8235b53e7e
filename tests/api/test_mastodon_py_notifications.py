"""Mastodon.py against a real node: grouped notifications (v2: the groups, one group, its
accounts, the unread count, dismissing), the notification policy and its requests, a conversation
mute, and a Web Push subscription whose pushes Mastodon.py decrypts."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pushkit
import pytest
from live_node import LiveNode, live_node
from mastodon import Mastodon

PUSH_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def service() -> Iterator[pushkit.PushService]:
    yield from pushkit.serving()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    workdir = tmp_path_factory.mktemp("mastodon_py_notifications")
    # the push service listens on loopback; the web process runs the jobs that push
    settings = {"allow_private_networks": "true", "run_jobs_in_process": "true"}
    with live_node(workdir, others=("bob", "cy"), settings=settings) as running:
        yield running


def _client(node: LiveNode, username: str) -> Mastodon:
    scopes = ["read", "write", "follow", "push"]
    client_id, client_secret = Mastodon.create_app(
        f"fedihub notification tests {username}", scopes=scopes, api_base_url=node.base_url
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=node.base_url)
    api.log_in(f"{username}@uni.example", node.password, scopes=scopes, allow_http=True)
    return api


def test_grouped_notifications_policy_requests_and_mutes(node: LiveNode) -> None:
    ada, bob, cy = (_client(node, name) for name in ("ada", "bob", "cy"))
    finding = ada.status_post("a finding")
    bob.status_favourite(finding)
    cy.status_favourite(finding)
    ada.account_follow(bob.me())  # bob is followed: his mention passes the policy
    bob.status_post("@ada see this")

    results = ada.grouped_notifications()
    groups = results["notification_groups"]
    assert [g["type"] for g in groups] == ["mention", "favourite"]
    favourites = groups[1]
    assert favourites["notifications_count"] == 2
    assert {str(a["id"]) for a in results["accounts"]} == {str(bob.me()["id"]), str(cy.me()["id"])}
    assert str(results["statuses"][-1]["id"]) == str(finding["id"])
    one = ada.grouped_notification(favourites["group_key"])
    assert one["notification_groups"][0]["notifications_count"] == 2
    who = ada.grouped_notification_accounts(favourites["group_key"])
    assert [str(a["id"]) for a in who] == [str(cy.me()["id"]), str(bob.me()["id"])]
    assert ada.unread_grouped_notifications_count() == 2
    assert ada.notifications_unread_count()["count"] == 3
    v1 = ada.notifications()
    assert {n["group_key"] for n in v1} == {g["group_key"] for g in groups}
    ada.dismiss_grouped_notification(favourites["group_key"])
    assert [g["type"] for g in ada.grouped_notifications()["notification_groups"]] == ["mention"]

    # the policy: strangers' notifications wait in requests
    policy = ada.update_notifications_policy(for_not_following="filter")
    assert policy["for_not_following"] == "filter"
    cy.status_post("@ada hello from a stranger")
    assert [g["type"] for g in ada.grouped_notifications()["notification_groups"]] == ["mention"]
    requests = ada.notification_requests()
    assert [str(r["account"]["id"]) for r in requests] == [str(cy.me()["id"])]
    assert ada.notifications_policy()["summary"]["pending_requests_count"] == 1
    ada.accept_notification_request(requests[0])
    assert ada.notifications_merged()
    assert len(ada.grouped_notifications()["notification_groups"]) == 2

    # a muted thread: no more notifications from it
    thread = ada.status_post("a quiet thread")
    assert ada.status_mute(thread)["muted"] is True
    before = len(ada.notifications())
    bob.status_post("@ada a reply", in_reply_to_id=thread["id"])
    bob.status_favourite(thread)
    assert len(ada.notifications()) == before
    assert ada.status_unmute(thread)["muted"] is False


def test_a_push_subscription_that_mastodon_py_decrypts(
    node: LiveNode, service: pushkit.PushService
) -> None:
    ada, bob = _client(node, "ada"), _client(node, "bob")
    private, public = ada.push_subscription_generate_keys()
    made = ada.push_subscription_set(
        service.url("/push/ada"), public, mention_events=True, favourite_events=False
    )
    assert made["alerts"]["mention"] and not made["alerts"]["favourite"]
    assert ada.push_subscription()["endpoint"] == service.url("/push/ada")
    assert ada.instance_v2()["configuration"]["vapid"]["public_key"] == made["server_key"]

    bob.status_post("@ada a push for you")
    deadline = time.monotonic() + PUSH_TIMEOUT_S
    while not service.received and time.monotonic() < deadline:
        time.sleep(0.1)  # the web process's job runner pushes in the background
    assert service.received, "no push arrived"
    pushed = service.received[0]
    assert pushed.headers["content-encoding"] == "aesgcm"  # Mastodon's default, not `standard`
    message = ada.push_subscription_decrypt_push(
        pushed.body, private, pushed.headers["encryption"], pushed.headers["crypto-key"]
    )
    assert message["notification_type"] == "mention"
    assert message["title"] == "You were mentioned by bob"
    assert "a push for you" in message["body"]

    updated = ada.push_subscription_update(follow_events=True)
    assert updated["alerts"]["follow"] and updated["alerts"]["mention"]
    ada.push_subscription_delete()
    with pytest.raises(Exception, match="Record not found|404"):
        ada.push_subscription()
