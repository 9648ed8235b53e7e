"""/api/fedihub/v1/account/aliases and /api/fedihub/v1/account/move: the signed-in user's other
accounts (her actor's alsoKnownAs) and her move to a new account (social/moves.py). Mastodon
offers these on its settings pages only; apps and the node's tests use them here. Described in
social/moves_openapi.py."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import params, parse_id
from fedihub.api.entities.account import account, with_move
from fedihub.social import moves
from fedihub.web.common import runtime

blueprint = Blueprint("api_moves", __name__)
P = "/api/fedihub/v1/account"


@blueprint.get(f"{P}/aliases")
@require_scope("read:accounts")
async def list_aliases() -> Response:
    rt = runtime()
    return jsonify([account(rt, a) for a in await moves.aliases(current_actor())])


@blueprint.post(f"{P}/aliases")
@require_scope("write:accounts")
async def add_alias() -> Response:
    rt = runtime()
    other = await moves.add_alias(rt, current_actor(), (await params()).str("acct") or "")
    return jsonify(account(rt, other))


@blueprint.delete(f"{P}/aliases/<raw_id>")
@require_scope("write:accounts")
async def remove_alias(raw_id: str) -> Response:
    other = await models.Actor.get_or_none(id=parse_id(raw_id))
    if other is not None:
        await moves.remove_alias(runtime(), current_actor(), other.uri)
    return jsonify({})


@blueprint.post(f"{P}/move")
@require_scope("write:accounts")
async def move() -> Response:
    rt = runtime()
    actor = current_actor()
    await moves.move(rt, actor, (await params()).str("acct") or "")
    return jsonify(await with_move(rt, actor))
