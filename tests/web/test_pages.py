"""The node's pages: front page, timelines with the composer, threads, profiles with follow,
actions as forms without JavaScript, notifications, messages, lists, hashtags, search."""

from __future__ import annotations

import re
from typing import Any

from pagekit import make_user, page_token, post, sign_in, tiny_png
from quart.datastructures import FileStorage

from fedihub import models


async def _html(client: Any, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return await response.get_data(as_text=True)


async def _signed_in(app: Any, name: str) -> Any:
    await make_user(app, name)
    client = app.test_client()
    assert (await sign_in(client, name)).status_code == 302
    return client


async def _post_status(client: Any, text: str, **extra: str) -> Any:
    return await post(client, "/web/statuses", {"status": text, "next": "/home", **extra})


async def test_the_front_page_introduces_the_node_to_visitors(app: Any, client: Any) -> None:
    ada = await _signed_in(app, "ada")
    await _post_status(ada, "A public note about proteins")
    await _post_status(ada, "Only for followers", visibility="private")
    html = await _html(client, "/")
    assert "Researchers here" in html and "@ada" in html
    assert "A public note about proteins" in html and "Only for followers" not in html
    assert 'href="/auth/sign_in"' in html and '<main id="main"' in html
    assert '<nav aria-label="Main">' in html and '<html lang="en">' in html


async def test_members_pages_send_visitors_to_sign_in(client: Any) -> None:
    for path in ("/home", "/notifications", "/conversations", "/lists", "/timelines/federated"):
        response = await client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/sign_in?next=" + path)


async def test_composer_posts_text_with_a_content_warning_and_an_image_with_alt_text(
    app: Any,
) -> None:
    ada = await _signed_in(app, "ada")
    token = await page_token(ada, "/home")
    response = await ada.post(
        "/web/statuses",
        form={
            "csrf_token": token,
            "status": "Microscope day",
            "spoiler_text": "lab photos",
            "visibility": "unlisted",
            "media_description": "a confocal microscope",
            "next": "/home",
        },
        files={"media": FileStorage(stream=__import__("io").BytesIO(tiny_png()), filename="m.png")},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/home?posted=1"
    html = await _html(ada, "/home?posted=1")
    assert "Microscope day" in html and "<summary>lab photos" in html
    assert 'alt="a confocal microscope"' in html and "Posted." in html
    status = await models.Status.get(content__contains="Microscope day")
    assert status.visibility.value == "unlisted" and status.summary == "lab photos"


async def test_an_empty_post_is_refused_with_the_text_kept(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    response = await _post_status(ada, "   ")
    assert response.status_code == 422
    assert "Text can" in await response.get_data(as_text=True)


async def test_favourite_boost_bookmark_and_delete_work_as_plain_forms(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    bob = await _signed_in(app, "bob")
    await _post_status(ada, "Shared result")
    status = await models.Status.get(content__contains="Shared result")
    for action in ("favourite", "reblog", "bookmark"):
        answer = await post(
            bob, f"/web/statuses/{status.id}/{action}", {"next": "/timelines/local"}
        )
        assert answer.status_code == 303 and answer.headers["Location"] == "/timelines/local"
    assert await models.Favourite.filter(status_id=status.id).count() == 1
    assert await models.Bookmark.filter(status_id=status.id).count() == 1
    assert await models.Status.filter(reblog_of_id=status.id).count() == 1
    html = await _html(bob, "/bookmarks")
    assert "Shared result" in html and 'aria-pressed="true"' in html
    assert "Shared result" in await _html(bob, "/favourites")
    for action in ("unfavourite", "unreblog", "unbookmark"):
        await post(bob, f"/web/statuses/{status.id}/{action}", {"next": "/home"})
    assert await models.Favourite.filter(status_id=status.id).count() == 0
    # only the author may delete; anyone else is told it is not theirs
    refused = await post(bob, f"/web/statuses/{status.id}/delete", {"next": "/home"})
    assert refused.status_code in (403, 404)
    await post(ada, f"/web/statuses/{status.id}/delete", {"next": "/home"})
    assert (await models.Status.get(id=status.id)).deleted_at is not None


async def test_actions_need_the_csrf_token(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    await _post_status(ada, "Guarded")
    status = await models.Status.get(content__contains="Guarded")
    answer = await ada.post(f"/web/statuses/{status.id}/favourite", form={"next": "/"})
    assert answer.status_code == 403


async def test_a_thread_shows_ancestors_and_replies_and_a_reply_form(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    bob = await _signed_in(app, "bob")
    await _post_status(ada, "Question about enzymes")
    root = await models.Status.get(content__contains="Question about enzymes")
    await _post_status(bob, "@ada an answer", in_reply_to_id=str(root.id))
    reply = await models.Status.get(content__contains="an answer")
    assert reply.in_reply_to_id == root.id
    html = await _html(bob, f"/web/statuses/{reply.id}")
    assert "Question about enzymes" in html and 'id="reply"' in html and "@ada " in html
    # the canonical page of a local status is the same thread, and visitors see it
    page = await _html(app.test_client(), f"/@ada/{root.id}")
    assert "an answer" in page and "Sign in to reply" in page


async def test_profiles_follow_and_unfollow(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    bob = await _signed_in(app, "bob")
    bob_user = await models.User.get(username_key="bob").prefetch_related("actor")
    html = await _html(ada, "/@bob")
    assert f'action="/web/accounts/{bob_user.actor.id}/follow"' in html
    await post(ada, f"/web/accounts/{bob_user.actor.id}/follow", {"next": "/@bob"})
    assert "Unfollow" in await _html(ada, "/@bob")
    await _post_status(bob, "Followers hear this", visibility="private")
    assert "Followers hear this" in await _html(ada, "/home")
    assert "Followers hear this" not in await _html(app.test_client(), "/@bob")
    await post(ada, f"/web/accounts/{bob_user.actor.id}/unfollow", {"next": "/@bob"})
    assert not await models.Follow.filter(target_id=bob_user.actor.id).exists()
    # visitors get the remote follow form instead
    visitor = await _html(app.test_client(), "/@bob")
    assert 'action="/web/remote_follow/bob"' in visitor
    assert "/follow" not in visitor.replace("remote_follow", "")


async def test_notifications_messages_lists_and_hashtags(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    bob = await _signed_in(app, "bob")
    await _post_status(bob, "@ada a private word", visibility="direct")
    assert "bob mentioned you" in await _html(ada, "/notifications")
    assert "a private word" in await _html(ada, "/conversations")
    await post(ada, "/lists", {"title": "Lab", "next": "/lists"}, token_from="/lists")
    lab = await models.List.get(title="Lab")
    assert "Lab" in await _html(ada, "/lists")
    bob_actor = (await models.User.get(username_key="bob").prefetch_related("actor")).actor
    await post(ada, f"/web/accounts/{bob_actor.id}/follow", {"next": "/@bob"})
    assert "Add to list Lab" in await _html(ada, "/@bob")
    await post(ada, f"/lists/{lab.id}/members", {"add": str(bob_actor.id), "next": "/@bob"})
    assert "@bob" in await _html(ada, f"/lists/{lab.id}")
    await post(ada, "/tags/enzymes/follow", {"next": "/tags/enzymes"})
    assert "#enzymes" in await _html(ada, "/lists")
    assert "Unfollow #enzymes" in await _html(ada, "/tags/enzymes")


async def test_search_finds_people_and_posts(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    await _post_status(ada, "Searchable #catalysis")
    html = await _html(ada, "/search?q=ada")
    assert 'href="/@ada"' in html
    assert "#catalysis" in await _html(ada, "/search?q=catalysis")


async def test_pages_are_paged(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    for n in range(23):
        await _post_status(ada, f"note number {n}")
    first = await _html(ada, "/timelines/local")
    assert "note number 22" in first and "note number 2<" not in first
    older = re.search(r'href="(/timelines/local\?max_id=\d+)" rel="next"', first)
    assert older is not None
    second = await _html(ada, older.group(1).replace("&amp;", "&"))
    assert "note number 0" in second and "note number 22" not in second


async def test_authorize_interaction_opens_the_account_for_our_user(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    await make_user(app, "bob")
    answer = await ada.get("/authorize_interaction?uri=acct:bob@fedihub.test")
    assert answer.status_code == 303, await answer.get_data(as_text=True)
    assert answer.headers["Location"].startswith("/@bob")


async def test_pages_speak_chinese(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    await post(ada, "/language", {"lang": "zh", "next": "/home"})
    html = await _html(ada, "/home")
    assert '<html lang="zh-CN">' in html and "首页" in html and "发布" in html


async def test_direct_messages_are_grouped_by_conversation_with_unread_marks(app: Any) -> None:
    ada = await _signed_in(app, "ada")
    bob = await _signed_in(app, "bob")
    await _signed_in(app, "cy")
    await _post_status(bob, "@ada first word", visibility="direct")
    first = await models.Status.get(source__contains="first word")
    await post(
        bob,
        "/web/statuses",
        {
            "status": "@ada second word",
            "visibility": "direct",
            "in_reply_to_id": str(first.id),
            "next": "/home",
        },
    )
    await _post_status(ada, "@cy another thread", visibility="direct")
    html = await _html(ada, "/conversations")
    # two conversations: bob's (its newest message shown, unread) and the one ada began with cy
    assert html.count('<article class="conversation') == 2
    assert "second word" in html and "first word" not in html
    assert f'id="conversation-{first.id}"' in html
    assert f'class="conversation unread" id="conversation-{first.id}"' in html
    bob_block = html.split(f'id="conversation-{first.id}"', 1)[1].split("</article>", 1)[0]
    assert "Unread" in bob_block and ">bob</a>" in bob_block
    # opening it shows the thread and marks it read, as the API's read does
    opened = await ada.get(f"/conversations/{first.id}")
    assert opened.status_code == 302
    assert opened.headers["Location"].startswith("/web/statuses/")
    html = await _html(ada, "/conversations")
    assert 'class="conversation unread"' not in html
    api_view = await models.Marker.get(timeline=f"conv:{first.id}")
    assert api_view.last_read_id > first.id
    # someone else's conversation is not hers to open
    cy = await _signed_in(app, "dee")
    assert (await cy.get(f"/conversations/{first.id}")).status_code == 404
