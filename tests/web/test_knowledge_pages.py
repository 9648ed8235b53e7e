"""Knowledge post pages: write with a preview, read with OpenGraph and the ActivityStreams link,
versions with what changed, browse and search, in English and Chinese."""

from __future__ import annotations

import re
from typing import Any

from pagekit import make_user, page_token, sign_in

from fedihub import models


async def _write(client: Any, **form: str) -> str:
    token = await page_token(client, "/articles/new")
    response = await client.post("/articles/new", form={"csrf_token": token, **form})
    assert response.status_code == 303, await response.get_data(as_text=True)
    return str(response.headers["Location"])


async def test_write_preview_read_and_edit_a_post(app: Any, client: Any) -> None:
    await make_user(app, "ada")
    await sign_in(client, "ada")
    token = await page_token(client, "/articles/new")
    preview = await client.post(
        "/articles/preview", form={"csrf_token": token, "body": "*x* $a^2$ <script>1</script>"}
    )
    html = (await preview.get_json())["html"]
    assert "<em>x</em>" in html and "<math" in html and "<script" not in html
    refused = await client.post("/articles/preview", form={"body": "x"})
    assert refused.status_code == 403  # no CSRF token

    path = await _write(
        client,
        title="Graphene notes",
        summary="What we found",
        body="# Method\n\nMeasured.",
        tags="physics, 材料",
        license="CC-BY-4.0",
        visibility="public",
        draft="0",
    )
    page = await (await client.get(path)).get_data(as_text=True)
    post = await models.Article.get(title="Graphene notes")
    status = await models.Status.get(id=post.status_id)
    assert '<meta property="og:title" content="Graphene notes">' in page
    assert '<meta property="og:description" content="What we found">' in page
    assert f'<link rel="alternate" type="application/activity+json" href="{status.uri}">' in page
    assert "<h2>Method</h2>" in page and "#材料" in page and 'rel="license"' in page
    # an ActivityStreams client asking the page is sent to the object
    negotiated = await client.get(path, headers={"Accept": "application/activity+json"})
    assert negotiated.status_code == 303 and negotiated.headers["Location"] == status.uri

    token = await page_token(client, f"{path}/edit")
    saved = await client.post(
        f"{path}/edit",
        form={
            "csrf_token": token,
            "title": "Graphene notes, revised",
            "summary": "What we found",
            "body": "# Method\n\nMeasured twice.",
            "tags": "physics, 材料",
            "visibility": "public",
        },
    )
    assert saved.status_code == 303
    versions = await (await client.get(f"{path}/versions/2")).get_data(as_text=True)
    assert "+Measured twice." in versions and "-Measured." in versions
    assert "Graphene notes, revised" in versions

    listed = await (await client.get("/articles?q=graphene")).get_data(as_text=True)
    assert "Graphene notes, revised" in listed
    by_tag = await (await client.get("/articles?tag=%E6%9D%90%E6%96%99")).get_data(as_text=True)
    assert "Graphene notes, revised" in by_tag


async def test_bad_input_shows_the_editor_again_with_the_field_named(app: Any, client: Any) -> None:
    await make_user(app, "ada")
    await sign_in(client, "ada")
    token = await page_token(client, "/articles/new")
    response = await client.post(
        "/articles/new", form={"csrf_token": token, "title": "", "body": "kept text"}
    )
    page = await response.get_data(as_text=True)
    assert response.status_code == 422 and "kept text" in page and 'role="alert"' in page
    assert not await models.Article.exists()


async def test_institution_only_pages_carry_no_opengraph_and_need_a_local_account(
    app: Any, client: Any
) -> None:
    await make_user(app, "ada")
    await sign_in(client, "ada")
    path = await _write(
        client, title="Lab only", summary="inside", visibility="institution", draft="0"
    )
    page = await (await client.get(path)).get_data(as_text=True)
    assert "Lab only" in page and "og:title" not in page and "activity+json" not in page
    anonymous = app.test_client()
    assert (await anonymous.get(path)).status_code == 404
    assert (
        await anonymous.get(path, headers={"Accept": "application/activity+json"})
    ).status_code == 404
    assert "Lab only" not in await (await anonymous.get("/articles")).get_data(as_text=True)


async def test_pages_speak_chinese(app: Any, client: Any) -> None:
    page = await (await client.get("/articles?lang=zh")).get_data(as_text=True)
    assert "知识库" in page and "搜索" in page
    assert re.search(r"<html lang=\"zh", page)


async def test_drafts_are_their_authors_alone(app: Any, client: Any) -> None:
    await make_user(app, "ada")
    await make_user(app, "bob")
    await sign_in(client, "ada")
    path = await _write(client, title="Unfinished", draft="1")
    assert "Unfinished" in await (await client.get(path)).get_data(as_text=True)
    other = app.test_client()
    await sign_in(other, "bob")
    assert (await other.get(path)).status_code == 404
    assert (await other.get(f"{path}/edit")).status_code == 404
    assert (await other.get(f"{path}/versions")).status_code == 404
