"""Mastodon apps load pictures with plain GETs (no token, no cookie): a restricted post's files
reach them through capability URLs (media/capability.py). A viewer who may see a followers-only
or direct post gets URLs with an expiry and a signature that open the file without credentials,
the same URL within a time bucket; a changed key, a changed signature or a URL past its expiry
is a 404 like a file that does not exist; an outsider never gets such a URL; ActivityPub
documents keep the plain route."""

from __future__ import annotations

import html
import os
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from apikit import bearer, json_of
from mediakit import png
from test_media_api import _file
from test_restricted_media import HOST, PDF, P, World, _article, _signed_in

from fedihub import models
from fedihub.media import capability
from fedihub.security import keys
from fedihub.social import documents
from fedihub.web.common import RUNTIME_KEY


async def _post(world: World, visibility: str, text: str = "holiday") -> dict[str, Any]:
    ada = world.tokens["ada"]
    upload = await world.client.post("/api/v2/media", headers=bearer(ada), files=_file(png(30, 20)))
    media = await json_of(upload)
    body = {"status": text, "visibility": visibility, "media_ids": [media["id"]]}
    made = await world.client.post("/api/v1/statuses", json=body, headers=bearer(ada))
    return await json_of(made)


async def _seen_by(world: World, who: str, status_id: str) -> dict[str, Any]:
    got = await world.client.get(f"/api/v1/statuses/{status_id}", headers=bearer(world.tokens[who]))
    return await json_of(got)


def _local(url: str) -> str:
    assert url.startswith(f"{HOST}/media/restricted/"), url
    return url.removeprefix(HOST)


def _parts(path: str) -> tuple[str, dict[str, str]]:
    split = urlsplit(path)
    return split.path, {k: v[0] for k, v in parse_qs(split.query).items()}


def _page(body: bytes) -> bytes:
    """A 404 page without the sign-in form's echo of the path asked for."""
    return re.sub(rb'name="next" value="[^"]*"', b"", body)


async def _unknown_file(world: World) -> tuple[int, bytes]:
    gone = await world.client.get("/media/restricted/AAAAAAAAAAAAAAAAAAAAAA/original.png")
    return gone.status_code, _page(await gone.get_data())


async def test_a_followers_only_posts_image_loads_in_apps_without_a_token(client: Any) -> None:
    world = await World(client).build()
    made = await _post(world, "private")
    shown = await _seen_by(world, "fol", made["id"])
    media = shown["media_attachments"][0]
    url = _local(media["url"])
    path, query = _parts(url)
    assert set(query) == {"expires", "sig"}
    answer = await client.get(url)  # no token, no cookie: what Tusky or Elk send
    assert answer.status_code == 200 and await answer.get_data() == png(30, 20)
    assert answer.headers["Content-Type"] == "image/png"
    cache = answer.headers["Cache-Control"]
    assert cache.startswith("private, max-age=")
    max_age = int(cache.removeprefix("private, max-age="))
    assert 0 < max_age <= int(query["expires"]) - int(capability.now()) <= capability.VALIDITY_S
    assert max_age > capability.VALIDITY_S - capability.BUCKET_S - 60
    preview = media["preview_url"]
    assert (await client.get(_local(preview))).status_code == 200
    # the same URL for every reader within the bucket (apps and proxies can cache it)
    assert made["media_attachments"][0]["url"] == media["url"]
    assert (await _seen_by(world, "fol", made["id"]))["media_attachments"][0]["url"] == media["url"]
    # without the capability part the route still asks who it is
    assert (await client.get(path)).status_code == 404
    assert (await client.get(path, headers=bearer(world.tokens["fol"]))).status_code == 200
    # the ActivityPub document keeps the plain route: peers fetch it signed
    status = await models.Status.get(id=int(made["id"]))
    note = await documents.note_document(client.app.extensions[RUNTIME_KEY], status)
    assert note["attachment"][0]["url"] == f"{HOST}{path}"


async def test_a_direct_messages_image_loads_for_the_mentioned_account(client: Any) -> None:
    world = await World(client).build()
    made = await _post(world, "direct", "@fol see this")
    shown = await _seen_by(world, "fol", made["id"])
    url = _local(shown["media_attachments"][0]["url"])
    assert (await client.get(url)).status_code == 200
    assert (
        await client.get(f"/api/v1/statuses/{made['id']}", headers=bearer(world.tokens["out"]))
    ).status_code == 404


@pytest.mark.parametrize("change", ["key", "other file", "signature", "expiry", "expired"])
async def test_a_changed_or_expired_capability_url_is_not_found(
    client: Any, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await World(client).build()
    made = await _post(world, "private")
    other = await _post(world, "private", "another")
    path, query = _parts(_local(made["media_attachments"][0]["url"]))
    assert (
        await client.get(f"{path}?expires={query['expires']}&sig={query['sig']}")
    ).status_code == 200
    if change == "key":  # the same folder's other file, or a name made up
        path = path.replace("original.png", "small.png")
    elif change == "other file":  # a valid URL's signature on another post's file
        path = _parts(_local(other["media_attachments"][0]["url"]))[0]
    elif change == "signature":
        flipped = "A" if query["sig"][0] != "A" else "B"
        query["sig"] = flipped + query["sig"][1:]
    elif change == "expiry":  # a later expiry under the same signature
        query["expires"] = str(int(query["expires"]) + capability.BUCKET_S)
    else:  # the clock past the expiry
        expires = int(query["expires"])
        monkeypatch.setattr(capability, "now", lambda: float(expires + 1))
    answer = await client.get(f"{path}?expires={query['expires']}&sig={query['sig']}")
    assert (answer.status_code, _page(await answer.get_data())) == await _unknown_file(world)
    assert answer.status_code == 404


async def test_an_outsider_never_receives_a_capability_url(client: Any) -> None:
    world = await World(client).build()
    made = await _post(world, "private")
    signed = made["media_attachments"][0]["url"]
    out = bearer(world.tokens["out"])
    assert (await client.get(f"/api/v1/statuses/{made['id']}", headers=out)).status_code == 404
    assert (await client.get(f"/api/v1/statuses/{made['id']}")).status_code == 404
    for route in (
        f"/api/v1/accounts/{world.ada.actor_id}/statuses",
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
    ):
        text = await (await client.get(route, headers=out)).get_data(as_text=True)
        assert "/media/restricted/" not in text and signed not in text, route


async def test_a_capability_url_ends_with_its_post(client: Any) -> None:
    world = await World(client).build()
    made = await _post(world, "private")
    url = _local(made["media_attachments"][0]["url"])
    deleted = await client.delete(
        f"/api/v1/statuses/{made['id']}", headers=bearer(world.tokens["ada"])
    )
    assert deleted.status_code == 200
    assert (await client.get(url)).status_code == 404


def test_expiries_are_bucketed_and_bounded() -> None:
    start = 1_800_000_000 - 1_800_000_000 % capability.BUCKET_S
    first = capability.expiry(start + 1)
    assert first == capability.expiry(start + capability.BUCKET_S - 1)
    assert capability.expiry(start + capability.BUCKET_S) == first + capability.BUCKET_S
    for moment in (start, start + 1, start + capability.BUCKET_S - 1):
        assert (
            capability.VALIDITY_S - capability.BUCKET_S <= first - moment <= capability.VALIDITY_S
        )


async def test_an_articles_files_open_from_its_entity_and_its_page_without_credentials(
    client: Any,
) -> None:
    world = await World(client).build()
    article = await _article(client, world.tokens["ada"], "private")
    shown = await client.get(f"{P}/{article['id']}", headers=bearer(world.tokens["fol"]))
    url = _local((await json_of(shown))["media_attachments"][0]["url"])
    answer = await client.get(url)
    assert answer.status_code == 200 and await answer.get_data() == PDF
    follower = await _signed_in(client.app, "fol")
    page = await (await follower.get(f"/articles/{article['id']}")).get_data(as_text=True)
    link = re.search(r'href="(https://fedihub.test/media/restricted/[^"]+)"', page)
    assert link is not None
    fresh = client.app.test_client()  # another browser, signed in nowhere
    opened = await fresh.get(html.unescape(link.group(1)).removeprefix(HOST))
    assert opened.status_code == 200 and await opened.get_data() == PDF
    await json_of(await client.delete(f"{P}/{article['id']}", headers=bearer(world.tokens["ada"])))
    assert (await fresh.get(url)).status_code == 404


def test_the_signing_key_is_the_nodes_own() -> None:
    first, second = (keys.NodeSecrets(os.urandom(32), os.urandom(32), _KEY) for _ in range(2))
    purpose = "media capability v1"
    assert first.derived(purpose) == first.derived(purpose)
    assert first.derived(purpose) != second.derived(purpose)  # another node, another key
    assert first.derived(purpose) not in (first.session_key, first.derived("another purpose"))


_KEY = keys.generate_private_key()
