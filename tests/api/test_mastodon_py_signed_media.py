"""Mastodon.py against a real node, on SQLite and PostgreSQL: a follower's app shows the picture
of a followers-only post by fetching the entity's URL with no token or cookie, as Tusky, Elk or
Ivory do (media/capability.py); an outsider's app gets no such post, so no such URL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_node import LiveNode, live_node
from mastodon import Mastodon, MastodonNotFoundError
from mediakit import png

from tests.conftest import _pg_reason, create_pg_database, drop_pg_database


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveNode]:
    workdir = tmp_path_factory.mktemp("mastodon_py_signed_media")
    settings = {"run_jobs_in_process": "true"}
    if request.param == "postgres":
        reason = _pg_reason()
        if reason:
            pytest.skip(reason)
        settings["database_url"] = asyncio.run(create_pg_database())
    try:
        with live_node(workdir, others=("fol", "out"), settings=settings) as running:
            yield running
    finally:
        if "database_url" in settings:
            asyncio.run(drop_pg_database(settings["database_url"]))


def _client(node: LiveNode, username: str) -> Mastodon:
    scopes = ["read", "write", "follow"]
    client_id, client_secret = Mastodon.create_app(
        f"fedihub signed media tests {username}", scopes=scopes, api_base_url=node.base_url
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=node.base_url)
    api.log_in(f"{username}@uni.example", node.password, scopes=scopes, allow_http=True)
    return api


def test_a_followers_only_picture_shows_in_a_followers_app(node: LiveNode, tmp_path: Path) -> None:
    ada, fol, out = (_client(node, name) for name in ("ada", "fol", "out"))
    fol.account_follow(ada.me())
    picture = tmp_path / "wide.png"
    picture.write_bytes(png(40, 10))
    media = ada.media_post(str(picture), description="A wide black band")
    posted = ada.status_post("for my followers", media_ids=[media], visibility="private")

    seen = fol.status(posted["id"])
    shown = seen["media_attachments"][0]
    assert shown["url"].startswith(f"{node.base_url}/media/restricted/")
    assert "sig=" in shown["url"] and "expires=" in shown["url"]
    answer = httpx.get(shown["url"], timeout=10)  # what an app's image loader sends: nothing
    assert answer.status_code == 200 and answer.content == png(40, 10)
    assert answer.headers["Cache-Control"].startswith("private, max-age=")
    assert httpx.get(shown["preview_url"], timeout=10).status_code == 200
    # the same file on its route without the capability part asks who it is
    assert httpx.get(shown["url"].split("?", 1)[0], timeout=10).status_code == 404

    with pytest.raises(MastodonNotFoundError):
        out.status(posted["id"])
    listed = out.account_statuses(ada.me())
    assert all(str(s["id"]) != str(posted["id"]) for s in listed)
