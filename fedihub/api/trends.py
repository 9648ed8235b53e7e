"""/api/v1/trends/tags (and its older alias /api/v1/trends) and /api/v1/trends/statuses.

They read the lists the periodic refresh stored (social/trends.py): cheap, and the same on every
web process. Public, as on Mastodon; paged by `offset` and `limit` with Mastodon's Link header.
Trending links stay an empty list (api/not_yet.py): fedihub makes no preview cards.
"""

from __future__ import annotations

from quart import Blueprint, Response

from fedihub.api.auth import optional_user, scope_if_token
from fedihub.api.common import Params, params
from fedihub.api.entities.status import statuses as status_entities
from fedihub.api.entities.tag import tag as tag_entity
from fedihub.api.pagination import offset_paged
from fedihub.social import followed_tags, trends
from fedihub.web.common import runtime

blueprint = Blueprint("api_trends", __name__)


def _window(p: Params, *, default: int, maximum: int) -> tuple[int, int]:
    offset = p.offset()
    limit = p.int("limit", default, low=1, high=maximum, clamp=True) or default
    return offset, limit


@blueprint.get("/api/v1/trends")
@blueprint.get("/api/v1/trends/tags")
# Mastodon checks no scope on trends; the answers carry what the token's owner follows, favourited
# or boosted, so a token must be allowed to read that
@scope_if_token("read:follows")
async def tags() -> Response:
    user = await optional_user()
    offset, limit = _window(await params(), default=10, maximum=20)
    rows = await trends.tags(offset=offset, limit=limit)
    rt = runtime()
    followed = await followed_tags.following(user.actor, [r.name for r in rows]) if user else set()
    body = [
        tag_entity(rt, r.name, r.history, signed_in=user is not None, following=r.name in followed)
        for r in rows
    ]
    return offset_paged(body, offset, limit, keep_filters=False)


@blueprint.get("/api/v1/trends/statuses")
@scope_if_token("read:statuses")
async def statuses() -> Response:
    user = await optional_user()
    viewer = user.actor if user else None
    offset, limit = _window(await params(), default=20, maximum=40)
    rows = await trends.statuses(viewer, offset=offset, limit=limit)
    return offset_paged(
        await status_entities(runtime(), rows, viewer), offset, limit, keep_filters=False
    )
