"""/api/v2/search: accounts, statuses and hashtags; `resolve=true` imports remote ones."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import optional_user, scope_if_token
from fedihub.api.common import params
from fedihub.api.entities.account import accounts
from fedihub.api.entities.status import statuses as status_entities
from fedihub.api.entities.tag import tag
from fedihub.social import search as search_service
from fedihub.web.common import runtime

blueprint = Blueprint("api_search", __name__)


@blueprint.get("/api/v2/search")
@scope_if_token("read:search")
async def search() -> Response:
    user = await optional_user()
    viewer = user.actor if user else None
    p = await params()
    q = p.str("q", "") or ""
    kind = p.str("type")
    limit = p.int("limit", 20, low=1, high=40, clamp=True) or 20
    offset = p.offset()
    # anonymous searches never reach out to other servers (Mastodon's rule)
    resolve = bool(p.bool("resolve", False)) and viewer is not None
    rt = runtime()
    found_accounts = (
        await search_service.accounts(
            rt,
            viewer,
            q,
            resolve=resolve,
            limit=limit,
            offset=offset,
            following=bool(p.bool("following", False)),
        )
        if kind in (None, "", "accounts")
        else []
    )
    found_statuses = (
        await search_service.statuses(rt, viewer, q, resolve=resolve, limit=limit, offset=offset)
        if kind in (None, "", "statuses")
        else []
    )
    tags = await search_service.hashtags(q, limit=limit) if kind in (None, "", "hashtags") else []
    followed: set[str] = set()
    if viewer is not None and tags:
        followed = set(
            await models.column(
                models.FollowedTag.filter(actor_id=viewer.id, name__in=tags).values_list(
                    "name", flat=True
                )
            )
        )
    return jsonify(
        {
            "accounts": accounts(rt, found_accounts),
            "statuses": await status_entities(rt, found_statuses, viewer),
            "hashtags": [
                tag(rt, t, [], signed_in=viewer is not None, following=t in followed) for t in tags
            ],
        }
    )
