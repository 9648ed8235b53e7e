"""Our JSON against Mastodon's documented entities.

The schemas come from the community OpenAPI description
(github.com/abraham/mastodon-openapi, dist/schema.json).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from apikit import REDIRECT, bearer, make_token, make_user, remote_actor, set_setting

from fedihub import models

SPEC = Path(__file__).resolve().parent.parent / "fixtures" / "mastodon-openapi.json"


@cache
def _components() -> dict[str, Any]:
    return json.loads(SPEC.read_text(encoding="utf-8"))["components"]  # type: ignore[no-any-return]


_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("email")
def _email_or_unset(value: object) -> bool:
    # Mastodon answers "" for an instance's contact address while none is set (its
    # site_contact_email defaults to ''): the description's `format: email` leaves that out
    return not isinstance(value, str) or value == "" or "@" in value


def check(entity: str, value: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{entity}", "components": _components()}
    jsonschema.Draft202012Validator(schema, format_checker=_FORMATS).validate(value)


def test_the_checker_rejects_a_wrong_shape() -> None:
    try:
        check("Relationship", {"id": 1})
    except jsonschema.ValidationError:
        return
    raise AssertionError("an incomplete Relationship passed")


async def test_application_and_credential_application(client: Any) -> None:
    body = await (
        await client.post(
            "/api/v1/apps",
            json={
                "client_name": "Shape",
                "redirect_uris": REDIRECT,
                "scopes": "read write push",
                "website": "https://s.example",
            },
        )
    ).get_json()
    check("CredentialApplication", body)
    check("Application", body)
    token = (
        await (
            await client.post(
                "/oauth/token",
                form={
                    "grant_type": "client_credentials",
                    "client_id": body["client_id"],
                    "client_secret": body["client_secret"],
                },
            )
        ).get_json()
    )["access_token"]
    app_only = await (
        await client.get("/api/v1/apps/verify_credentials", headers=bearer(token))
    ).get_json()
    assert app_only["name"] == "Shape"
    check("Application", app_only)
    assert app_only["redirect_uris"] == [REDIRECT]


async def test_account_credential_account_and_relationship(client: Any) -> None:
    ada = await make_user(client.app, "ada", admin=True)
    bob = await remote_actor(
        "bob",
        "social.example",
        affiliation="Lab",
        links=[{"name": "Web", "value": "https://b.example"}],
    )
    bob.last_status_at = bob.created_at
    await bob.save()
    await models.Follow.create(follower=ada.actor, target=bob)
    token = await make_token(ada)
    me = await (
        await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    ).get_json()
    check("CredentialAccount", me)
    check("Account", me)
    other = await (await client.get(f"/api/v1/accounts/{bob.id}")).get_json()
    check("Account", other)
    assert len(other["last_status_at"]) == 10
    rels = await (
        await client.get(f"/api/v1/accounts/relationships?id[]={bob.id}", headers=bearer(token))
    ).get_json()
    check("Relationship", rels[0])
    followed = await (
        await client.post(
            f"/api/v1/accounts/{ada.actor.id}/mute",
            headers=bearer(await make_token(await make_user(client.app, "cy"))),
        )
    ).get_json()
    check("Relationship", followed)


async def test_instance_v1_and_v2(client: Any) -> None:
    await make_user(client.app, "ada", admin=True)
    check("V1Instance", await (await client.get("/api/v1/instance")).get_json())
    check("Instance", await (await client.get("/api/v2/instance")).get_json())
    await set_setting("contact_email", "help@uni.example")
    check("V1Instance", await (await client.get("/api/v1/instance")).get_json())
    check("Instance", await (await client.get("/api/v2/instance")).get_json())


async def test_search_hashtags_and_translation_languages(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    made = await client.post(
        "/api/v1/statuses", json={"status": "on #openscience"}, headers=bearer(token)
    )
    assert made.status_code == 200
    await client.post("/api/v1/tags/openscience/follow", headers=bearer(token))
    found = await (
        await client.get("/api/v2/search?q=openscience&type=hashtags", headers=bearer(token))
    ).get_json()
    assert [t["name"] for t in found["hashtags"]] == ["openscience"]
    check("Tag", found["hashtags"][0])
    assert found["hashtags"][0]["following"] is True
    anonymous = await (await client.get("/api/v2/search?q=openscience&type=hashtags")).get_json()
    check("Tag", anonymous["hashtags"][0])
    languages = await client.get("/api/v1/instance/translation_languages")
    assert languages.status_code == 200 and await languages.get_json() == {}
