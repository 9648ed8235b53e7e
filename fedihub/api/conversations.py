"""/api/v1/conversations: direct messages grouped by conversation, as Mastodon's API has them
(the grouping and the reader's state: social/conversations.py)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify
from tortoise.expressions import Q

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import not_found, params, parse_id
from fedihub.api.entities.account import accounts as account_entities
from fedihub.api.entities.status import statuses_by_id
from fedihub.runtime import Runtime
from fedihub.social import conversations, timelines
from fedihub.web.common import runtime

blueprint = Blueprint("api_conversations", __name__)
P = "/api/v1/conversations"
key_of = conversations.key_of


async def entities(
    rt: Runtime, lasts: list[models.Status], viewer: models.Actor, *, hidden: bool = False
) -> list[dict[str, Any]]:
    """Conversation entities whose latest statuses are `lasts` (hidden ones only if asked)."""
    found = await conversations.summaries(viewer, lasts, hidden=hidden)
    rendered = await statuses_by_id(rt, [c.last for c in found], viewer)
    shown = [c for c in found if c.last.id in rendered]
    others = {i for c in shown for i in c.participant_ids}
    actors = {a.id: a for a in await models.Actor.filter(id__in=others)}
    return [
        {
            "id": str(c.id),
            "unread": c.unread,
            "accounts": account_entities(rt, [actors[i] for i in c.participant_ids if i in actors]),
            "last_status": rendered[c.last.id],
        }
        for c in shown
    ]


async def latest_by_conversation(viewer: models.Actor, pg: pagination.Page) -> list[models.Status]:
    """The newest visible direct status of each conversation, newest first, one page of them."""
    return await conversations.latest_by_conversation(
        viewer, pg.limit, max_id=pg.max_id, since_id=pg.since_id, min_id=pg.min_id
    )


@blueprint.get(P)
@require_scope("read:statuses")
async def index() -> Response:
    viewer = current_actor()
    pg = pagination.page(await params(), default=20, maximum=40)
    lasts = await latest_by_conversation(viewer, pg)
    response = jsonify(await entities(runtime(), lasts, viewer))
    link = pagination.link_header(lasts[0].id if lasts else None, lasts[-1].id if lasts else None)
    if link:
        response.headers["Link"] = link
    return response


async def _conversation(raw_id: str, viewer: models.Actor) -> tuple[int, models.Status]:
    """The conversation's root id and its newest status the viewer can see."""
    root = await timelines.direct(viewer).filter(id=parse_id(raw_id)).first()
    if root is None:
        raise not_found()
    key = key_of(root)
    roots = await conversations.root_ids(viewer, [key])
    if roots.get(key) != root.id:  # an id inside the conversation, not its root
        raise not_found()
    thread = timelines.direct(viewer).filter(Q(conversation_uri=key) | Q(uri=key))
    last = await thread.order_by("-id").first()
    return root.id, last or root


@blueprint.post(f"{P}/<raw_id>/read")
@require_scope("write:conversations")
async def read(raw_id: str) -> Response:
    viewer = current_actor()
    root, last = await _conversation(raw_id, viewer)
    await conversations.mark(viewer, f"conv:{root}", last.id)
    bodies = await entities(runtime(), [last], viewer, hidden=True)
    if not bodies:
        raise not_found()
    return jsonify(bodies[0])


@blueprint.delete(f"{P}/<raw_id>")
@require_scope("write:conversations")
async def hide(raw_id: str) -> Response:
    viewer = current_actor()
    root, last = await _conversation(raw_id, viewer)
    await conversations.mark(viewer, f"hide:{root}", last.id)
    return jsonify({})
