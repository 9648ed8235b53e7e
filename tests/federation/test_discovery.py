"""Discovery as peers do it: WebFinger, host-meta and NodeInfo (validated against the 2.1
schema)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tortoise.backends.base import executor

import fedihub
from fedihub import models
from fedihub.accounts import node_settings, users
from fedihub.ids import new_id
from fedihub.runtime import Runtime
from fedihub.web.common import RUNTIME_KEY

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "nodeinfo-2.1.schema.json").read_text()
)
PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture(autouse=True)
def _fresh_insert_queries() -> None:
    # tortoise caches INSERT statements per connection name: SQLite's `?` must not reach PostgreSQL
    executor.EXECUTOR_CACHE.clear()


async def set_text_setting(key: str, value: str) -> None:
    await node_settings.set_value(key, value)


def runtime_of(app: Any) -> Runtime:
    rt: Runtime = app.extensions[RUNTIME_KEY]
    return rt


async def make_user(app: Any, name: str) -> models.User:
    return await users.create(runtime_of(app), name, f"{name}@example.org", PASSWORD)


async def webfinger(client: Any, resource: str | None) -> Any:
    query = {} if resource is None else {"resource": resource}
    return await client.get("/.well-known/webfinger", query_string=query)


async def test_webfinger_finds_a_user_by_acct_with_mastodon_links(app: Any, client: Any) -> None:
    await make_user(app, "Alice")
    response = await webfinger(client, "acct:alice@fedihub.test")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/jrd+json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    jrd = await response.get_json()
    assert jrd["subject"] == "acct:Alice@fedihub.test"
    # Mastodon's order: the profile page, then the actor
    assert jrd["aliases"] == ["https://fedihub.test/@Alice", "https://fedihub.test/users/Alice"]
    links = {link["rel"]: link for link in jrd["links"]}
    assert links["self"] == {
        "rel": "self",
        "type": "application/activity+json",
        "href": "https://fedihub.test/users/Alice",
    }
    assert links["http://webfinger.net/rel/profile-page"]["href"] == "https://fedihub.test/@Alice"
    assert links["http://webfinger.net/rel/profile-page"]["type"] == "text/html"
    assert "{uri}" in links["http://ostatus.org/schema/1.0/subscribe"]["template"]


async def test_webfinger_accepts_acct_uris_in_any_case_and_actor_urls(
    app: Any, client: Any
) -> None:
    await make_user(app, "bob")
    for resource in (
        "acct:bob@fedihub.test",
        "ACCT:BOB@FEDIHUB.TEST",
        "https://fedihub.test/users/bob",
        "https://fedihub.test/@bob",
    ):
        response = await webfinger(client, resource)
        assert response.status_code == 200, resource
        assert (await response.get_json())["subject"] == "acct:bob@fedihub.test"


async def test_webfinger_finds_the_instance_actor(client: Any) -> None:
    for resource in ("acct:fedihub.test@fedihub.test", "https://fedihub.test/actor"):
        response = await webfinger(client, resource)
        assert response.status_code == 200, resource
        jrd = await response.get_json()
        assert jrd["subject"] == "acct:fedihub.test@fedihub.test"
        self_link = next(link for link in jrd["links"] if link["rel"] == "self")
        assert self_link["href"] == "https://fedihub.test/actor"


async def test_webfinger_answers_404_for_unknown_disabled_or_foreign_accounts(
    app: Any, client: Any
) -> None:
    await make_user(app, "carol")
    await users.set_disabled("carol")
    for resource in (
        "acct:nobody@fedihub.test",
        "acct:carol@fedihub.test",
        "acct:carol@elsewhere.example",
        "https://elsewhere.example/users/carol",
        "https://fedihub.test/users/nobody",
        # well-formed URIs of schemes nothing is known under (RFC 7033: not found)
        "mailto:carol@fedihub.test",
        "xmpp:carol@fedihub.test",
    ):
        response = await webfinger(client, resource)
        assert response.status_code == 404, resource
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "error" in await response.get_json()


async def test_webfinger_answers_400_for_missing_or_malformed_resource(client: Any) -> None:
    for resource in (
        None,
        "",
        "acct:",
        "acct:nodomain",
        "just text",
        "acct:@fedihub.test",
        # not URIs (RFC 7033 §4.1): a bare address, and `resource==acct:...` read as `=acct:...`
        "bob@fedihub.test",
        "@bob@fedihub.test",
        "=acct:bob@fedihub.test",
    ):
        response = await webfinger(client, resource)
        assert response.status_code == 400, resource
        assert "error" in await response.get_json()


async def test_webfinger_follows_rfc_7033(app: Any, client: Any) -> None:
    """RFC 7033: resource percent-encoded in the query (and in an acct user part, RFC 7565),
    the host in any case and with its default port, rel filtering over several rel parameters,
    the JRD media type and CORS on every answer."""
    await make_user(app, "erin")
    raw = (
        "/.well-known/webfinger?resource=acct%3Aerin%40FediHub.Test",
        "/.well-known/webfinger?resource=acct%3A%65rin%40fedihub.test",
        "/.well-known/webfinger?resource=acct:er%2569n@fedihub.test",
        "/.well-known/webfinger?resource=https%3A%2F%2FFEDIHUB.test%3A443%2Fusers%2Ferin",
        "/.well-known/webfinger?resource=https://fedihub.test/users/erin/",
    )
    for path in raw:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "application/jrd+json"
        assert (await response.get_json())["subject"] == "acct:erin@fedihub.test"

    response = await client.get(
        "/.well-known/webfinger?resource=acct:erin@fedihub.test"
        "&rel=self&rel=http%3A%2F%2Fwebfinger.net%2Frel%2Fprofile-page"
    )
    jrd = await response.get_json()
    assert [link["rel"] for link in jrd["links"]] == [
        "http://webfinger.net/rel/profile-page",
        "self",
    ]
    assert jrd["subject"] == "acct:erin@fedihub.test" and len(jrd["aliases"]) == 2
    only_unknown = await (
        await client.get("/.well-known/webfinger?resource=acct:erin@fedihub.test&rel=x")
    ).get_json()
    assert only_unknown["links"] == []

    for path, status in (
        ("/.well-known/webfinger", 400),
        ("/.well-known/webfinger?resource=", 400),
        ("/.well-known/webfinger?resource=mailto:erin@fedihub.test", 404),
        ("/.well-known/webfinger?resource=erin@fedihub.test", 400),
        ("/.well-known/webfinger?resource=acct:erin%00@fedihub.test", 400),
        ("/.well-known/webfinger?resource=https://fedihub.test:99999/users/erin", 400),
        ("/.well-known/webfinger?resource=acct:erin@fedihub.test.evil.example", 404),
        ("/.well-known/webfinger?resource=https://fedihub.test:8443/users/erin", 404),
        ("/.well-known/webfinger?resource=https://fedihub.test/users/erin/statuses/1", 404),
    ):
        response = await client.get(path)
        assert response.status_code == status, path
        assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_webfinger_links_the_avatar_as_mastodon_does(app: Any, client: Any) -> None:
    user = await make_user(app, "fay")
    await models.Actor.filter(id=user.actor_id).update(
        icon_url="https://media.fedihub.test/avatars/fay.png"
    )
    jrd = await (await webfinger(client, "acct:fay@fedihub.test")).get_json()
    assert jrd["links"][-1] == {
        "rel": "http://webfinger.net/rel/avatar",
        "type": "image/png",
        "href": "https://media.fedihub.test/avatars/fay.png",
    }


async def test_host_meta_points_at_webfinger(client: Any) -> None:
    response = await client.get("/.well-known/host-meta")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xrd+xml")
    body = await response.get_data(as_text=True)
    assert 'rel="lrdd"' in body
    assert 'template="https://fedihub.test/.well-known/webfinger?resource={uri}"' in body
    as_json = await (await client.get("/.well-known/host-meta.json")).get_json()
    assert (
        as_json["links"][0]["template"]
        == "https://fedihub.test/.well-known/webfinger?resource={uri}"
    )


async def test_nodeinfo_discovery_links_both_versions(client: Any) -> None:
    response = await client.get("/.well-known/nodeinfo")
    assert response.status_code == 200
    links = (await response.get_json())["links"]
    assert {link["href"] for link in links} == {
        "https://fedihub.test/nodeinfo/2.1",
        "https://fedihub.test/nodeinfo/2.0",
    }
    assert "http://nodeinfo.diaspora.software/ns/schema/2.1" in {link["rel"] for link in links}


async def _post(actor: models.Actor, rt: Runtime, **extra: Any) -> models.Status:
    status_id = new_id()
    return await models.Status.create(
        id=status_id,
        uri=rt.urls.status(actor.username, status_id),
        actor=actor,
        local=True,
        content="<p>hello</p>",
        published=datetime.now(UTC),
        **extra,
    )


async def test_nodeinfo_is_valid_and_counts_active_users_and_local_posts(
    app: Any, client: Any
) -> None:
    rt = runtime_of(app)
    recent = await make_user(app, "recent")
    old = await make_user(app, "old")
    await make_user(app, "gone")
    await users.set_disabled("gone")
    recent.last_login_at = datetime.now(UTC) - timedelta(days=3)
    await recent.save()
    old.last_login_at = datetime.now(UTC) - timedelta(days=100)
    await old.save()
    await recent.fetch_related("actor")
    await _post(recent.actor, rt)
    await _post(recent.actor, rt, visibility=models.Visibility.PRIVATE)
    await _post(recent.actor, rt, deleted_at=datetime.now(UTC))
    remote = await models.Actor.create(
        uri="https://remote.example/users/x", username="x", domain="remote.example"
    )
    await models.Status.create(
        uri="https://remote.example/notes/1", actor=remote, published=datetime.now(UTC)
    )
    await set_text_setting("registration_mode", "open")
    await set_text_setting("node_name", "Test Institute")

    response = await client.get("/nodeinfo/2.1")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert (
        'profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
        in response.headers["Content-Type"]
    )
    info = await response.get_json()
    jsonschema.validate(info, SCHEMA)
    assert info["software"] == {
        "name": "fedihub",
        "version": fedihub.__version__,
        "homepage": "https://fedihub.test",
    }
    assert info["protocols"] == ["activitypub"]
    assert info["openRegistrations"] is True
    assert info["usage"]["users"] == {"total": 2, "activeHalfyear": 2, "activeMonth": 1}
    assert info["usage"]["localPosts"] == 2
    assert info["metadata"]["nodeName"] == "Test Institute"

    await set_text_setting("registration_mode", "invite")
    older = await (await client.get("/nodeinfo/2.0")).get_json()
    assert older["version"] == "2.0"
    assert older["openRegistrations"] is False
    # 2.0 is 2.1 without software.repository/homepage: the same schema checks the rest
    jsonschema.validate({**older, "version": "2.1"}, SCHEMA)


async def test_discovery_stays_open_with_authorized_fetch(app: Any, client: Any) -> None:
    await make_user(app, "dora")
    await node_settings.set_value("authorized_fetch", True)
    assert (await webfinger(client, "acct:dora@fedihub.test")).status_code == 200
    assert (await client.get("/nodeinfo/2.1")).status_code == 200
    assert (await client.get("/.well-known/host-meta")).status_code == 200
