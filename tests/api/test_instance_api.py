"""/api/v1/instance, /api/v2/instance and the small instance endpoints."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from apikit import make_user, remote_actor, set_setting
from test_entity_shapes import check


async def test_v1_instance_describes_the_node(client: Any) -> None:
    await make_user(client.app, "grace", admin=True)
    await make_user(client.app, "ada")
    await remote_actor("bob", "social.example")
    await remote_actor("eve", "social.example")
    await remote_actor("kim", "other.example")
    body = await (await client.get("/api/v1/instance")).get_json()
    assert re.match(r"^4\.3\.0 \(compatible; fedihub \d+\.\d+\.\d+", body["version"])
    assert body["uri"] == "fedihub.test" and body["title"] == "fedihub.test"
    assert body["urls"]["streaming_api"] == "wss://fedihub.test"
    assert body["stats"] == {"user_count": 2, "status_count": 0, "domain_count": 2}
    assert body["languages"] == ["en", "zh"]
    assert body["registrations"] is False  # the default mode needs an invitation
    assert body["configuration"]["statuses"] == {
        "max_characters": 5000,
        "max_media_attachments": 4,
        "characters_reserved_per_url": 23,
    }
    assert body["configuration"]["media_attachments"]["image_size_limit"] == 16 * 1024 * 1024
    assert body["contact_account"]["username"] == "grace"
    assert body["rules"] == []


async def test_no_contact_address_set_shows_none_never_the_admins_login_email(client: Any) -> None:
    await make_user(client.app, "grace", admin=True)
    v1 = await client.get("/api/v1/instance")
    v2 = await client.get("/api/v2/instance")
    assert (await v1.get_json())["email"] == ""
    assert (await v2.get_json())["contact"]["email"] == ""
    for response in (v1, v2):
        assert "grace@uni.example" not in await response.get_data(as_text=True)
    await set_setting("contact_email", "help@uni.example")
    assert (await (await client.get("/api/v1/instance")).get_json())["email"] == "help@uni.example"


async def test_v2_instance_follows_registration_mode_and_settings(client: Any) -> None:
    await set_setting("registration_mode", "open")
    await set_setting("node_name", "Uni Social")
    await set_setting("contact_email", "help@uni.example")
    body = await (await client.get("/api/v2/instance")).get_json()
    assert body["domain"] == "fedihub.test" and body["title"] == "Uni Social"
    assert (
        body["registrations"]["enabled"] is True
        and body["registrations"]["approval_required"] is False
    )
    assert body["contact"] == {"email": "help@uni.example", "account": None}
    assert body["api_versions"] == {"mastodon": 2}
    assert body["configuration"]["urls"]["streaming"] == "wss://fedihub.test"
    await set_setting("registration_mode", "closed")
    closed = await (await client.get("/api/v2/instance/")).get_json()
    assert closed["registrations"]["enabled"] is False and closed["registrations"]["message"]


async def test_peers_rules_activity_emojis_and_extended_description(client: Any) -> None:
    await remote_actor("bob", "b.example")
    await remote_actor("amy", "a.example")
    assert await (await client.get("/api/v1/instance/peers")).get_json() == [
        "a.example",
        "b.example",
    ]
    assert await (await client.get("/api/v1/instance/rules")).get_json() == []
    assert await (await client.get("/api/v1/instance/activity")).get_json() == []
    assert await (await client.get("/api/v1/custom_emojis")).get_json() == []
    unset = await (await client.get("/api/v1/instance/extended_description")).get_json()
    check("ExtendedDescription", unset)
    assert unset["content"] == ""
    before = datetime.now(UTC) - timedelta(seconds=1)
    await set_setting("node_description", "A node for the lab")
    ext = await (await client.get("/api/v1/instance/extended_description")).get_json()
    assert ext["content"] == "A node for the lab"
    check("ExtendedDescription", ext)
    assert datetime.fromisoformat(ext["updated_at"].replace("Z", "+00:00")) >= before


async def test_default_avatar_and_header_are_images(client: Any) -> None:
    for path in ("/avatars/original/missing.png", "/headers/original/missing.png"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/png"
        assert (await response.get_data()).startswith(b"\x89PNG\r\n\x1a\n")
