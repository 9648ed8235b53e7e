"""/api/v1/blocks and /api/v1/mutes: whom the signed-in user blocks or mutes, newest first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from quart import Blueprint, Response, jsonify
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import params
from fedihub.api.entities.account import accounts
from fedihub.web.common import runtime

blueprint = Blueprint("api_blocks", __name__)
# rows naming a target account: a block or a mute
Blocking = TypeVar("Blocking", models.Block, models.Mute)


async def _page(query: QuerySet[Blocking]) -> Response:
    """One page of rows with a `target_id`, as the target accounts, with the Link header."""
    pg = pagination.page(await params(), default=40, maximum=80)
    rows = await pagination.fetch(query, pg)
    ids = [row.target_id for row in rows]
    by_id = {a.id: a for a in await models.Actor.filter(id__in=ids, deleted_at=None)}
    response = jsonify(accounts(runtime(), [by_id[i] for i in ids if i in by_id]))
    link = pagination.link_header(rows[0].id, rows[-1].id) if rows else None
    if link:
        response.headers["Link"] = link
    return response


@blueprint.get("/api/v1/blocks")
@require_scope("read:blocks", "follow")
async def blocked_accounts() -> Response:
    return await _page(models.Block.filter(actor_id=current_actor().id))


@blueprint.get("/api/v1/mutes")
@require_scope("read:mutes", "follow")
async def muted_accounts() -> Response:
    live = Q(expires_at=None) | Q(expires_at__gt=datetime.now(UTC))
    return await _page(models.Mute.filter(live, actor_id=current_actor().id))
