"""Attachments obey their post's rules when downloaded: files of followers-only, direct,
institution-only and draft posts are served only to who may see the post (the author, a local
account by its web session or API token, a peer's node by a signed fetch when the post went
there), everyone else gets a 404; public posts' files are served to anyone, as before; a post
whose audience changes takes its files along (the old URL stops working)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from apikit import PASSWORD, bearer, json_of, make_token, make_user
from quart.datastructures import FileStorage

from fedihub import models
from fedihub.activitypub import signatures
from fedihub.models import FollowState
from fedihub.security import keys

P = "/api/fedihub/v1/articles"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HOST = "https://fedihub.test"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _upload(client: Any, token: str, data: bytes = PDF) -> dict[str, Any]:
    file = FileStorage(io.BytesIO(data), filename="paper.pdf", content_type="application/pdf")
    response = await client.post("/api/v2/media", headers=bearer(token), files={"file": file})
    return await json_of(response)


async def _article(client: Any, token: str, visibility: str, *, draft: bool = False) -> Any:
    media = await _upload(client, token)
    body = {
        "title": f"A {visibility} paper",
        "summary": "Results.",
        "body": "Text.",
        "visibility": visibility,
        "draft": draft,
        "media_ids": [media["id"]],
    }
    return await json_of(await client.post(P, json=body, headers=bearer(token)))


async def _file_url(client: Any, token: str, article: dict[str, Any]) -> str:
    """The file's route without the capability part (expiry and signature) of a restricted
    file's URL: who asks decides there (tests/api/test_signed_media.py tests the signed URL)."""
    shown = await json_of(await client.get(f"{P}/{article['id']}", headers=bearer(token)))
    url = shown["media_attachments"][0]["url"]
    assert isinstance(url, str) and url.startswith(f"{HOST}/media/")
    return str(url.removeprefix(HOST).split("?", 1)[0])


async def _signed_in(app: Any, username: str) -> Any:
    client = app.test_client()
    form = await (await client.get("/auth/sign_in")).get_data(as_text=True)
    token = _CSRF.search(form)
    assert token is not None
    answer = await client.post(
        "/auth/sign_in",
        form={"login": username, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code in (302, 303)
    return client


class World:
    """ada writes; fol follows her (accepted), out does not; peer.example has a follower of
    hers, other.example has none."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def build(self) -> World:
        app = self.client.app
        self.ada = await make_user(app, "ada")
        self.fol = await make_user(app, "fol")
        self.out = await make_user(app, "out")
        users = {"ada": self.ada, "fol": self.fol, "out": self.out}
        self.tokens = {name: await make_token(u) for name, u in users.items()}
        await models.Follow.create(
            follower_id=self.fol.actor_id, target_id=self.ada.actor_id, state=FollowState.ACCEPTED
        )
        self.key = keys.generate_private_key()
        self.peer = await self._remote("zoe", "peer.example")
        self.stranger = await self._remote("sam", "other.example")
        await models.Follow.create(
            follower_id=self.peer.id, target_id=self.ada.actor_id, state=FollowState.ACCEPTED
        )
        # what a peer signs media fetches with: its instance actor, not the follower
        self.peer_node = await self._remote("peer.example", "peer.example", path="actor")
        return self

    async def _remote(self, name: str, domain: str, path: str = "") -> models.Actor:
        base = f"https://{domain}/{path}" if path else f"https://{domain}/users/{name}"
        return await models.Actor.create(
            uri=base,
            username=name,
            domain=domain,
            inbox=f"{base}/inbox",
            public_key_id=f"{base}#main-key",
            public_key_pem=keys.public_pem(self.key),
        )

    async def status_of(self, path: str, who: str) -> int:
        """The HTTP status `who` gets for the file: by API token, web session, signed fetch,
        or anonymously."""
        if who == "anonymous":
            return int((await self.client.get(path)).status_code)
        if who.startswith("web:"):
            signed_in = await _signed_in(self.client.app, who.removeprefix("web:"))
            return int((await signed_in.get(path)).status_code)
        if who.startswith("signed:"):
            signer = {"peer": self.peer, "node": self.peer_node, "stranger": self.stranger}[
                who.removeprefix("signed:")
            ]
            headers = {"Accept": "*/*", "Host": "fedihub.test"}
            headers.update(
                signatures.sign_cavage(
                    "GET", f"{HOST}{path}", headers, None, signer.public_key_id or "", self.key
                )
            )
            return int((await self.client.get(path, headers=headers)).status_code)
        return int((await self.client.get(path, headers=bearer(self.tokens[who]))).status_code)


WHO = ("ada", "fol", "out", "web:fol", "web:out", "anonymous", "signed:node", "signed:stranger")
ALLOWED = {
    "public": set(WHO),
    "unlisted": set(WHO),
    "private": {"ada", "fol", "web:fol", "signed:node"},
    "institution": {"ada", "fol", "out", "web:fol", "web:out"},
    "draft": {"ada"},
}


@pytest.mark.parametrize("level", ["public", "unlisted", "private", "institution", "draft"])
async def test_an_articles_file_is_served_only_to_who_may_see_the_article(
    client: Any, level: str
) -> None:
    world = await World(client).build()
    ada = world.tokens["ada"]
    article = await _article(
        client, ada, "private" if level == "draft" else level, draft=level == "draft"
    )
    path = await _file_url(client, ada, article)
    restricted = level not in ("public", "unlisted")
    assert path.startswith("/media/restricted/") is restricted
    got = {who: await world.status_of(path, who) for who in WHO}
    assert {who for who, code in got.items() if code == 200} == ALLOWED[level], got
    assert {code for code in got.values()} <= {200, 404}
    if restricted:
        answer = await client.get(path, headers=bearer(ada))
        assert await answer.get_data() == PDF
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert answer.headers["Content-Type"] == "application/pdf"
        # the Article that goes out names the same guarded URL, never a public one
        if level == "private":
            status = await models.Status.get(id=int(article["status_id"]))
            assert status.document["attachment"][0]["url"] == f"{HOST}{path}"


async def test_a_followers_only_status_file_is_guarded_through_the_mastodon_api(
    client: Any,
) -> None:
    world = await World(client).build()
    media = await _upload(client, world.tokens["ada"])
    assert media["url"].startswith(f"{HOST}/media/attachments/")  # unattached: its uploader's
    made = await json_of(
        await client.post(
            "/api/v1/statuses",
            json={"status": "data", "visibility": "private", "media_ids": [media["id"]]},
            headers=bearer(world.tokens["ada"]),
        )
    )
    path = made["media_attachments"][0]["url"].removeprefix(HOST).split("?", 1)[0]
    assert path.startswith("/media/restricted/")
    assert await world.status_of(path, "fol") == 200
    assert await world.status_of(path, "out") == 404
    assert await world.status_of(path, "anonymous") == 404
    # the upload's first (public) place is gone
    assert await world.status_of(media["url"].removeprefix(HOST), "anonymous") == 404


async def test_a_post_made_public_or_private_takes_its_files_along(client: Any) -> None:
    world = await World(client).build()
    ada = world.tokens["ada"]
    draft = await _article(client, ada, "public", draft=True)
    hidden = await _file_url(client, ada, draft)
    assert hidden.startswith("/media/restricted/")
    await json_of(await client.post(f"{P}/{draft['id']}/publish", headers=bearer(ada)))
    public = await _file_url(client, ada, draft)
    assert public.startswith("/media/attachments/")
    assert await world.status_of(public, "anonymous") == 200
    assert await world.status_of(hidden, "ada") == 404  # nothing left at the old place

    edit = {
        "title": "Now for followers",
        "summary": "s",
        "body": "b",
        "visibility": "private",
        "media_ids": [int(m) for m in [await _media_id(client, ada, draft)]],
    }
    await json_of(await client.put(f"{P}/{draft['id']}", json=edit, headers=bearer(ada)))
    again = await _file_url(client, ada, draft)
    assert again.startswith("/media/restricted/")
    assert await world.status_of(public, "anonymous") == 404
    assert await world.status_of(again, "anonymous") == 404
    assert await world.status_of(again, "fol") == 200


async def _media_id(client: Any, token: str, article: dict[str, Any]) -> str:
    shown = await json_of(await client.get(f"{P}/{article['id']}", headers=bearer(token)))
    return str(shown["media_attachments"][0]["id"])


async def test_a_deleted_posts_restricted_file_is_served_to_nobody_but_its_owner(
    client: Any,
) -> None:
    world = await World(client).build()
    ada = world.tokens["ada"]
    article = await _article(client, ada, "private")
    path = await _file_url(client, ada, article)
    await json_of(await client.delete(f"{P}/{article['id']}", headers=bearer(ada)))
    assert await world.status_of(path, "fol") == 404
    assert await world.status_of(path, "signed:node") == 404


async def test_restricted_paths_cannot_leave_their_folder(client: Any) -> None:
    world = await World(client).build()
    for path in ("/media/restricted/../keys/x", "/media/restricted/%2e%2e/x", "/media/restricted/"):
        assert await world.status_of(path, "ada") == 404


async def test_the_article_page_lists_its_files_as_links_its_readers_can_follow(
    client: Any,
) -> None:
    world = await World(client).build()
    article = await _article(client, world.tokens["ada"], "private")
    path = await _file_url(client, world.tokens["ada"], article)
    follower = await _signed_in(client.app, "fol")
    page = await follower.get(f"/articles/{article['id']}")
    text = await page.get_data(as_text=True)
    # the link is the capability URL (media/capability.py), so it opens in any browser tab
    assert page.status_code == 200 and f'href="{HOST}{path}?expires=' in text
    assert "application/pdf" in text
    assert (await follower.get(path)).status_code == 200
    outsider = await _signed_in(client.app, "out")
    assert (await outsider.get(f"/articles/{article['id']}")).status_code == 404
    await models.User.filter(id=world.fol.id).update(locale="zh")
    chinese = await follower.get(f"/articles/{article['id']}")
    assert "附件" in await chinese.get_data(as_text=True)
