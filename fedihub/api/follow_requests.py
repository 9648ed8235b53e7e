"""/api/v1/follow_requests: pending requests to the signed-in (locked) account, and answers."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import params, parse_id
from fedihub.api.entities.account import accounts
from fedihub.api.entities.relationship import relationship
from fedihub.models import FollowState
from fedihub.social import follows
from fedihub.web.common import runtime

blueprint = Blueprint("api_follow_requests", __name__)
P = "/api/v1/follow_requests"


@blueprint.get(P)
@require_scope("read:follows", "follow")
async def list_requests() -> Response:
    p = await params()
    pg = pagination.page(p, default=40, maximum=80)
    query = models.Follow.filter(
        target_id=current_actor().id, state=FollowState.PENDING, follower__deleted_at=None
    )
    rows = await pagination.fetch(query, pg)
    by_id = {a.id: a for a in await models.Actor.filter(id__in=[r.follower_id for r in rows])}
    found = [by_id[r.follower_id] for r in rows if r.follower_id in by_id]
    response = jsonify(accounts(runtime(), found))
    link = pagination.link_header(rows[0].id, rows[-1].id) if rows else None
    if link:
        response.headers["Link"] = link
    return response


@blueprint.post(f"{P}/<raw_id>/authorize")
@require_scope("write:follows", "follow")
async def authorize(raw_id: str) -> Response:
    follower_id = parse_id(raw_id)
    await follows.accept(runtime(), current_actor(), follower_id)
    return jsonify(await relationship(current_actor().id, follower_id))


@blueprint.post(f"{P}/<raw_id>/reject")
@require_scope("write:follows", "follow")
async def reject(raw_id: str) -> Response:
    follower_id = parse_id(raw_id)
    await follows.reject(runtime(), current_actor(), follower_id)
    return jsonify(await relationship(current_actor().id, follower_id))
