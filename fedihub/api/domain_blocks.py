"""/api/v1/domain_blocks: the servers the signed-in user hides (Mastodon's user domain blocks):
list (domain names, newest first, Link pagination), block, unblock."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_user, require_scope
from fedihub.api.common import params
from fedihub.moderation import user_domains
from fedihub.web.common import runtime

blueprint = Blueprint("api_domain_blocks", __name__)


@blueprint.get("/api/v1/domain_blocks")
@require_scope("read:blocks", "follow")
async def list_blocks() -> Response:
    pg = pagination.page(await params(), default=100, maximum=200)
    mine = models.UserDomainBlock.filter(actor_id=current_user().actor_id)
    rows = await pagination.fetch(mine, pg)
    return pagination.with_link(jsonify([row.domain for row in rows]), rows)


@blueprint.post("/api/v1/domain_blocks")
@require_scope("write:blocks", "follow")
async def block() -> Response:
    await user_domains.block(runtime(), current_user(), (await params()).str("domain") or "")
    return jsonify({})


@blueprint.delete("/api/v1/domain_blocks")
@require_scope("write:blocks", "follow")
async def unblock() -> Response:
    await user_domains.unblock(current_user(), (await params()).str("domain") or "")
    return jsonify({})
