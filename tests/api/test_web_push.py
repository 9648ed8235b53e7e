"""Web Push: /api/v1/push/subscription, and notifications encrypted (RFC 8291) and signed (RFC
8292) to a push service on loopback, by the job queue."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pushkit
import pytest
from apikit import bearer, json_of, make_token, make_user, post_status
from test_entity_shapes import check

from fedihub import config, jobs, models
from fedihub.notifications import push
from fedihub.web.common import RUNTIME_KEY

P = "/api/v1/push/subscription"


@pytest.fixture
def settings(settings: config.Settings) -> config.Settings:
    return replace(settings, allow_private_networks=True)  # the push service is on loopback


@pytest.fixture
def service() -> Iterator[pushkit.PushService]:
    yield from pushkit.serving()


def _subscribe_body(endpoint: str, browser: pushkit.Browser, **alerts: bool) -> dict[str, Any]:
    return {
        "subscription": {
            "endpoint": endpoint,
            "keys": {"p256dh": browser.p256dh, "auth": browser.auth_b64},
            "standard": True,
        },
        "data": {"alerts": alerts, "policy": "all"},
    }


async def _drain(client: Any) -> None:
    await jobs.drain(client.app.extensions[RUNTIME_KEY], kinds=[push.KIND])


async def test_a_subscription_receives_its_alerts_encrypted_and_signed(
    client: Any, service: pushkit.PushService
) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    ada_t, bob_t = await make_token(ada), await make_token(bob)
    assert (await client.get(P, headers=bearer(ada_t))).status_code == 404

    browser = pushkit.Browser()
    made = await json_of(
        await client.post(
            P,
            json=_subscribe_body(service.url("/push/ada"), browser, mention=True, favourite=True),
            headers=bearer(ada_t),
        )
    )
    check("WebPushSubscription", made)
    assert (
        made["alerts"]["mention"] and made["alerts"]["favourite"] and not made["alerts"]["follow"]
    )
    instance = await json_of(await client.get("/api/v2/instance"))
    assert instance["configuration"]["vapid"]["public_key"] == made["server_key"]
    assert await json_of(await client.get(P, headers=bearer(ada_t))) == made

    sid = await post_status(client, ada_t, status="results are in")
    await json_of(await client.post(f"/api/v1/statuses/{sid}/favourite", headers=bearer(bob_t)))
    await json_of(
        await client.post(f"/api/v1/accounts/{ada.actor.id}/follow", headers=bearer(bob_t))
    )  # follow alerts are off
    await _drain(client)
    assert len(service.received) == 1
    pushed = service.received[0]
    assert pushed.path == "/push/ada"
    message = browser.open(pushed, made["server_key"])
    assert message["notification_type"] == "favourite"
    assert message["title"] == "bob favorited your post"
    assert message["body"] == "results are in"
    assert message["preferred_locale"] == "en"
    note = await models.Notification.get(recipient_id=ada.actor.id, kind="favourite")
    assert message["notification_id"] == note.id
    claims = pushkit.check_vapid(pushed.headers["authorization"], made["server_key"])
    assert claims["aud"] == service.url("").rstrip("/") and claims["exp"] > time.time()

    # the policy: only from people ada follows, which bob is not
    changed = await json_of(
        await client.put(
            P,
            json={"data": {"policy": "followed", "alerts": {"follow": True}}},
            headers=bearer(ada_t),
        )
    )
    assert changed["policy"] == "followed" and changed["alerts"]["follow"]
    assert changed["alerts"]["mention"]  # what was not named is kept
    await post_status(client, bob_t, status="@ada hello")
    await _drain(client)
    assert len(service.received) == 1
    await json_of(await client.put(P, form={"data[policy]": "all"}, headers=bearer(ada_t)))
    await post_status(client, bob_t, status="@ada hello <b>again</b>")
    await _drain(client)
    assert len(service.received) == 2
    second = browser.open(service.received[1], made["server_key"])
    assert second["notification_type"] == "mention" and "again" in second["body"]
    assert second["title"] == "You were mentioned by bob"

    # another token of ada's has no subscription; a second POST replaces the first
    other = await make_token(ada)
    assert (await client.get(P, headers=bearer(other))).status_code == 404
    again = await json_of(
        await client.post(
            P,
            json=_subscribe_body(service.url("/push/new"), browser, mention=True),
            headers=bearer(ada_t),
        )
    )
    assert again["id"] != made["id"] and again["endpoint"].endswith("/push/new")
    assert await models.PushSubscription.filter(actor_id=ada.actor.id).count() == 1

    # a push service that has forgotten the subscription: we forget it too
    service.status = 410
    await post_status(client, bob_t, status="@ada are you there")
    await _drain(client)
    assert service.received[-1].path == "/push/new"
    assert (await client.get(P, headers=bearer(ada_t))).status_code == 404


async def test_subscriptions_refuse_bad_input_and_go_with_their_token(
    client: Any, service: pushkit.PushService
) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    browser = pushkit.Browser()
    body = _subscribe_body(service.url("/p"), browser, mention=True)
    for broken in (
        {**body, "subscription": {**body["subscription"], "endpoint": "ftp://x.example/p"}},
        {**body, "subscription": {**body["subscription"], "keys": {"p256dh": "AAAA", "auth": "x"}}},
        {**body, "data": {"policy": "everyone"}},
    ):
        response = await client.post(P, json=broken, headers=bearer(token))
        assert response.status_code == 422, await response.get_data()
    assert (await client.put(P, json={"data": {}}, headers=bearer(token))).status_code == 404
    no_push = await make_token(ada, "read write")
    assert (await client.post(P, json=body, headers=bearer(no_push))).status_code == 403
    await json_of(await client.post(P, json=body, headers=bearer(token)))
    assert await json_of(await client.delete(P, headers=bearer(token))) == {}
    assert (await client.get(P, headers=bearer(token))).status_code == 404

    # revoked token: its subscription is dropped at the next push, nothing is sent
    await json_of(await client.post(P, json=body, headers=bearer(token)))
    await models.OAuthToken.filter(user_id=ada.id).update(revoked_at=datetime.now(UTC))
    bob = await make_user(client.app, "bob")
    await post_status(client, await make_token(bob), status="@ada hi")
    await _drain(client)
    assert service.received == []
    assert await models.PushSubscription.all().count() == 0
