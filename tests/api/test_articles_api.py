"""The fedihub API of knowledge posts, checked against its own OpenAPI description."""

from __future__ import annotations

from typing import Any

import pytest
from apikit import bearer, json_of, make_token, make_user
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from fedihub.api import openapi
from fedihub.knowledge import openapi as knowledge_openapi

P = "/api/fedihub/v1/articles"


async def _spec(client: Any) -> dict[str, Any]:
    return await json_of(await client.get("/api/fedihub/v1/openapi.json"))


def _check(spec: dict[str, Any], schema: str, instance: Any) -> None:
    validator = Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": spec["components"]}
    )
    errors = [e.message for e in validator.iter_errors(instance)]
    assert not errors, errors


async def test_the_served_description_is_valid_openapi(client: Any) -> None:
    spec = await _spec(client)
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    for path in (P, f"{P}/{{id}}/versions/{{n}}", "/api/fedihub/v1/trends/articles"):
        assert path in spec["paths"]


def test_two_fragments_naming_one_path_are_refused() -> None:
    with pytest.raises(ValueError, match="described twice"):
        openapi.assemble([knowledge_openapi, knowledge_openapi], "https://x.example")


async def test_write_edit_publish_and_read_a_post_as_the_description_says(client: Any) -> None:
    spec = await _spec(client)
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    body = {
        "title": "Graphene at room temperature",
        "summary": "What we found.",
        "body": "# Method\n\n$E = mc^2$\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        "tags": ["physics", "#Materials"],
        "language": "en",
        "license": "CC-BY-4.0",
        "visibility": "public",
        "draft": True,
    }
    draft = await json_of(await client.post(P, json=body, headers=bearer(token)))
    _check(spec, "Article", draft)
    assert draft["draft"] is True and draft["status_id"] is None and draft["uri"] is None
    assert draft["tags"] == ["physics", "materials"] and "<math" in draft["content"]
    # nobody else sees a draft, not even signed in
    bob = await make_token(await make_user(client.app, "bob"))
    assert (await client.get(f"{P}/{draft['id']}", headers=bearer(bob))).status_code == 404
    assert (await client.get(f"{P}/{draft['id']}")).status_code == 404

    published = await json_of(
        await client.post(f"{P}/{draft['id']}/publish", headers=bearer(token))
    )
    _check(spec, "Article", published)
    assert published["draft"] is False and published["status_id"] is not None
    assert published["url"].endswith(f"/articles/{draft['id']}")

    changed = {**body, "body": body["body"] + "\nMore.\n", "title": "Graphene, revisited"}
    edited = await json_of(
        await client.put(f"{P}/{draft['id']}", json=changed, headers=bearer(token))
    )
    _check(spec, "Article", edited)
    assert edited["version"] == 2 and edited["edited_at"] is not None

    shown = await json_of(await client.get(f"{P}/{draft['id']}"))
    _check(spec, "Article", shown)
    listed = await json_of(await client.get(f"{P}/{draft['id']}/versions"))
    for item in listed:
        _check(spec, "ArticleVersion", item)
    assert [v["number"] for v in listed] == [1, 2]
    second = await json_of(await client.get(f"{P}/{draft['id']}/versions/2"))
    _check(spec, "ArticleVersionDetail", second)
    assert "+More." in second["diff"]
    assert second["title_changed"] == ["Graphene at room temperature", "Graphene, revisited"]
    assert (await client.get(f"{P}/{draft['id']}/versions/3")).status_code == 404

    # the status Mastodon clients see: the title, the summary and the link
    status = await json_of(await client.get(f"/api/v1/statuses/{published['status_id']}"))
    assert "Graphene, revisited" in status["content"] and "What we found." in status["content"]
    assert published["url"] in status["content"] and status["spoiler_text"] == ""

    exported = await client.get(f"{P}/{draft['id']}/export?format=markdown")
    text = await exported.get_data(as_text=True)
    assert exported.status_code == 200 and text.startswith('---\ntitle: "Graphene, revisited"')
    assert text.endswith("More.\n")
    page = await client.get(f"{P}/{draft['id']}/export?format=html")
    assert "<h1>Graphene, revisited</h1>" in await page.get_data(as_text=True)
    bad = await client.get(f"{P}/{draft['id']}/export?format=pdf")
    assert bad.status_code == 422

    found = await json_of(await client.get(f"{P}?q=graphene"))
    assert [a["id"] for a in found] == [draft["id"]]
    for item in found:
        _check(spec, "Article", item)

    gone = await json_of(await client.delete(f"{P}/{draft['id']}", headers=bearer(token)))
    _check(spec, "Article", gone)
    assert (await client.get(f"{P}/{draft['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 10_000}, "title"),
        ({"title": "t", "body": "x" * 5_000_000}, "body"),
        ({"title": "t", "visibility": "direct"}, "visibility"),
        ({"title": "t", "license": "javascript:alert(1)"}, "license"),
        ({"title": "t", "media_ids": ["99"]}, "media_ids"),
        ({"title": "t", "language": "<script>"}, "language"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    client: Any, body: dict[str, Any], field: str
) -> None:
    spec = await _spec(client)
    token = await make_token(await make_user(client.app, "ada"))
    response = await client.post(P, json=body, headers=bearer(token))
    error = await json_of(response, 422)
    _check(spec, "Error", error)
    assert field in error["error"] or error.get("field") == field
    assert await json_of(await client.get(P)) == []


async def test_other_users_cannot_change_a_post(client: Any) -> None:
    ada = await make_token(await make_user(client.app, "ada"))
    bob = await make_token(await make_user(client.app, "bob"))
    made = await json_of(await client.post(P, json={"title": "Mine"}, headers=bearer(ada)))
    for method, path in (
        ("PUT", f"{P}/{made['id']}"),
        ("DELETE", f"{P}/{made['id']}"),
        ("POST", f"{P}/{made['id']}/publish"),
    ):
        response = await client.open(path, method=method, json={"title": "x"}, headers=bearer(bob))
        assert response.status_code == 403, (method, path)
