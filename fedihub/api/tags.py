"""/api/v1/tags/:name (show, follow, unfollow) and /api/v1/followed_tags, as Mastodon's tags and
followed_tags controllers answer them.

A tag shows its 7-day history: the one the trends refresh stored when the tag trends, else counted
on the spot (social/trends.py). Showing a tag is public; following needs write:follows (or follow),
the followed list read:follows. A name that is no hashtag is "Record not found".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_actor, optional_user, require_scope, scope_if_token
from fedihub.api.common import params
from fedihub.api.entities.tag import tag as tag_entity
from fedihub.social import followed_tags, trends
from fedihub.web.common import runtime

blueprint = Blueprint("api_tags", __name__)
FOLLOWED_DEFAULT = 100  # Mastodon's TAGS_LIMIT; limit_param allows twice as many
FOLLOWED_MAX = 200


async def _histories(names: list[str]) -> dict[str, list[dict[str, str]]]:
    stored = {row.name: row.history for row in await models.TrendingTag.filter(name__in=names)}
    counted = await trends.histories([n for n in names if n not in stored], datetime.now(UTC))
    return {**counted, **stored}


async def _entities(names: list[str], viewer: models.Actor | None) -> list[dict[str, Any]]:
    histories = await _histories(names)
    followed = await followed_tags.following(viewer, names) if viewer is not None else set()
    rt = runtime()
    return [
        tag_entity(
            rt, name, histories[name], signed_in=viewer is not None, following=name in followed
        )
        for name in names
    ]


@blueprint.get("/api/v1/tags/<name>")
# Mastodon checks no scope here; the answer tells whether the token's owner follows the tag
@scope_if_token("read:follows")
async def show(name: str) -> Response:
    user = await optional_user()
    found = followed_tags.normalize(name)
    return jsonify((await _entities([found], user.actor if user else None))[0])


async def _changed(name: str, change: Callable[[models.Actor, str], Awaitable[None]]) -> Response:
    found = followed_tags.normalize(name)
    await change(current_actor(), found)
    return jsonify((await _entities([found], current_actor()))[0])


@blueprint.post("/api/v1/tags/<name>/follow")
@require_scope("write:follows", "follow")
async def follow(name: str) -> Response:
    return await _changed(name, followed_tags.follow)


@blueprint.post("/api/v1/tags/<name>/unfollow")
@require_scope("write:follows", "follow")
async def unfollow(name: str) -> Response:
    return await _changed(name, followed_tags.unfollow)


@blueprint.get("/api/v1/followed_tags")
@require_scope("read:follows", "follow")
async def followed() -> Response:
    pg = pagination.page(await params(), default=FOLLOWED_DEFAULT, maximum=FOLLOWED_MAX)
    rows = await pagination.fetch(models.FollowedTag.filter(actor_id=current_actor().id), pg)
    response = jsonify(await _entities([row.name for row in rows], current_actor()))
    return pagination.with_link(response, rows, prev_cursor="since_id", full_page=pg.limit)
