"""Knowledge posts through the service: drafts, publishing, versions with diffs, bad input."""

from __future__ import annotations

import pytest

from fedihub import models
from fedihub.accounts import users
from fedihub.errors import Invalid, NotFound
from fedihub.knowledge import articles, versions
from fedihub.models import Visibility
from fedihub.runtime import Runtime

BODY = "# Results\n\nWe measured $x^2$.\n"


async def _user(rt: Runtime, name: str = "ada") -> models.User:
    user = await users.create(rt, name, f"{name}@uni.example", "correct horse battery")
    await user.fetch_related("actor")
    return user


async def test_a_draft_has_no_status_until_it_is_published(rt: Runtime) -> None:
    ada = await _user(rt)
    inp = articles.ArticleInput(title="Notes", summary="A summary", body=BODY, tags=("ML",))
    draft = await articles.create(rt, ada, inp, draft=True)
    assert draft.draft and draft.status_id is None
    assert not await models.Status.filter(actor_id=ada.actor_id).exists()

    published = await articles.publish_article(rt, ada, draft.id)
    status = await models.Status.get(id=published.status_id)
    assert status.object_type == "Article" and status.name == "Notes"
    assert status.url == f"{rt.urls.base}/articles/{draft.id}"
    assert "A summary" in status.content and status.url in status.content
    assert status.document is not None and status.document["type"] == "Article"
    assert status.document["source"] == {"content": BODY, "mediaType": "text/markdown"}
    assert [t.name for t in await models.StatusTag.filter(status_id=status.id)] == ["ml"]


async def test_a_draft_is_nobody_elses(rt: Runtime) -> None:
    ada, bob = await _user(rt), await _user(rt, "bob")
    draft = await articles.create(rt, ada, articles.ArticleInput(title="Secret"), draft=True)
    with pytest.raises(NotFound):
        await articles.own_article(bob, draft.id)


async def test_every_edit_keeps_a_version_with_its_diff(rt: Runtime) -> None:
    ada = await _user(rt)
    inp = articles.ArticleInput(title="T1", summary="S", body="line one\nline two\n")
    post = await articles.create(rt, ada, inp, draft=False)
    edited = articles.ArticleInput(title="T2", summary="S", body="line one\nline 2\n")
    post = await articles.edit(rt, ada, post.id, edited)
    assert post.version == 2 and post.edited_at is not None
    rows = await versions.listing(post)
    assert [v.number for v in rows] == [1, 2]
    found = await versions.one(post, 2)
    assert found is not None
    change = versions.diff(found[1], found[0])
    assert change.title == ("T1", "T2") and change.summary is None
    assert "-line two" in change.body_diff and "+line 2" in change.body_diff
    status = await models.Status.get(id=post.status_id)
    assert status.name == "T2" and status.edited_at is not None
    assert status.document is not None and "updated" in status.document


async def test_moving_to_institution_only_deletes_the_old_post_and_makes_a_new_one(
    rt: Runtime,
) -> None:
    ada = await _user(rt)
    post = await articles.create(rt, ada, articles.ArticleInput(title="Open"), draft=False)
    first = post.status_id
    inp = articles.ArticleInput(title="Closed", visibility=Visibility.INSTITUTION)
    post = await articles.edit(rt, ada, post.id, inp)
    assert post.status_id != first
    old = await models.Status.get(id=first)
    assert old.deleted_at is not None
    new = await models.Status.get(id=post.status_id)
    assert new.visibility is Visibility.INSTITUTION and new.deleted_at is None


@pytest.mark.parametrize(
    ("inp", "field"),
    [
        (articles.ArticleInput(title=""), "title"),
        (articles.ArticleInput(title="x" * 10_000), "title"),
        (articles.ArticleInput(title="t", body="x" * 5_000_000), "body"),
        (articles.ArticleInput(title="t", license="<b>MIT</b>"), "license"),
        (articles.ArticleInput(title="t", tags=("no spaces allowed",)), "tags"),
        (articles.ArticleInput(title="t", media_ids=(12345,)), "media_ids"),
        (articles.ArticleInput(title="t", visibility=Visibility.DIRECT), "visibility"),
    ],
)
async def test_bad_input_names_its_field_and_stores_nothing(
    rt: Runtime, inp: articles.ArticleInput, field: str
) -> None:
    ada = await _user(rt)
    with pytest.raises(Invalid) as caught:
        await articles.create(rt, ada, inp, draft=False)
    assert caught.value.field == field
    assert not await models.Article.exists()
    assert not await models.Status.exists()


async def test_licences_spdx_and_creative_commons(rt: Runtime) -> None:
    ada = await _user(rt)
    for licence, url in [
        ("CC-BY-4.0", "https://spdx.org/licenses/CC-BY-4.0.html"),
        (
            "https://creativecommons.org/licenses/by/4.0/",
            "https://creativecommons.org/licenses/by/4.0/",
        ),
    ]:
        inp = articles.ArticleInput(title="L", license=licence)
        post = await articles.create(rt, ada, inp, draft=False)
        status = await models.Status.get(id=post.status_id)
        assert status.document is not None and status.document["schema:license"] == url
