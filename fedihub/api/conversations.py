"""/api/v1/conversations: direct messages grouped by conversation (Status.conversation_uri).

A conversation's id is the id of its oldest status the user can see, so it stays stable as replies
arrive. Per-user state has no model of its own yet: it is kept in Marker rows under namespaced
timeline names (`conv:<id>` = read up to; `hide:<id>` = hidden up to), so a conversation is
unread when a newer status from someone else arrives, and comes back after being hidden when a
new message arrives, as Mastodon's AccountConversation behaves.
"""

from __future__ import annotations

from collections import OrderedDict
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
from fedihub.social import timelines
from fedihub.web.common import runtime

blueprint = Blueprint("api_conversations", __name__)
P = "/api/v1/conversations"
_SCAN = 200  # statuses read per round while grouping a page


def key_of(status: models.Status) -> str:
    return status.conversation_uri or status.uri


async def _root_ids(viewer: models.Actor, keys: list[str]) -> dict[str, int]:
    """The oldest visible status id per conversation key."""
    out: dict[str, int] = {}
    query = timelines.direct(viewer).filter(Q(conversation_uri__in=keys) | Q(uri__in=keys))
    rows = await query.order_by("id").values_list("id", "conversation_uri", "uri")
    for status_id, conversation, uri in rows:
        out.setdefault(conversation or uri, status_id)
    return out


async def _state(viewer: models.Actor, root_ids: list[int]) -> dict[str, int]:
    names = [f"conv:{i}" for i in root_ids] + [f"hide:{i}" for i in root_ids]
    query = models.Marker.filter(actor_id=viewer.id, timeline__in=names)
    rows = await query.values_list("timeline", "last_read_id")
    return dict(rows)


async def entities(
    rt: Runtime, lasts: list[models.Status], viewer: models.Actor, *, hidden: bool = False
) -> list[dict[str, Any]]:
    """Conversation entities whose latest statuses are `lasts` (hidden ones only if asked)."""
    if not lasts:
        return []
    roots = await _root_ids(viewer, [key_of(s) for s in lasts])
    state = await _state(viewer, list(roots.values()))

    def listed(status: models.Status) -> bool:
        return hidden or status.id > state.get(f"hide:{roots.get(key_of(status), status.id)}", 0)

    rendered = await statuses_by_id(rt, [s for s in lasts if listed(s)], viewer)
    shown = [s for s in lasts if s.id in rendered]
    participants: dict[int, list[int]] = {}
    mentions = await models.Mention.filter(status_id__in=[s.id for s in shown]).values_list(
        "status_id", "actor_id"
    )
    for status in shown:
        participants[status.id] = [status.actor_id]
    for status_id, actor_id in mentions:
        participants[status_id].append(actor_id)
    others = {a for ids in participants.values() for a in ids if a != viewer.id}
    actors = {a.id: a for a in await models.Actor.filter(id__in=others)}
    out = []
    for status in shown:
        body = rendered[status.id]
        root = roots.get(key_of(status), status.id)
        read_up_to = state.get(f"conv:{root}", 0)
        ids = list(OrderedDict.fromkeys(i for i in participants[status.id] if i != viewer.id))
        out.append(
            {
                "id": str(root),
                "unread": status.actor_id != viewer.id and status.id > read_up_to,
                "accounts": account_entities(rt, [actors[i] for i in ids if i in actors]),
                "last_status": body,
            }
        )
    return out


async def latest_by_conversation(viewer: models.Actor, pg: pagination.Page) -> list[models.Status]:
    """The newest visible direct status of each conversation, newest first, one page of them."""
    lasts: OrderedDict[str, models.Status] = OrderedDict()
    query = timelines.direct(viewer)
    if pg.since_id is not None:
        query = query.filter(id__gt=pg.since_id)
    if pg.min_id is not None:
        query = query.filter(id__gt=pg.min_id)
    cursor = pg.max_id
    while len(lasts) < pg.limit:
        batch_query = query if cursor is None else query.filter(id__lt=cursor)
        batch = await batch_query.order_by("-id").limit(_SCAN)
        for status in batch:
            if key_of(status) not in lasts:
                lasts[key_of(status)] = status
        if len(batch) < _SCAN:
            break
        cursor = batch[-1].id
    return list(lasts.values())[: pg.limit]


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
    roots = await _root_ids(viewer, [key])
    if roots.get(key) != root.id:  # an id inside the conversation, not its root
        raise not_found()
    thread = timelines.direct(viewer).filter(Q(conversation_uri=key) | Q(uri=key))
    last = await thread.order_by("-id").first()
    return root.id, last or root


async def _mark(viewer: models.Actor, name: str, status_id: int) -> None:
    mine = models.Marker.filter(actor_id=viewer.id, timeline=name)
    updated = await mine.update(last_read_id=status_id)
    if not updated:
        await models.Marker.get_or_create(
            actor_id=viewer.id, timeline=name, defaults={"last_read_id": status_id}
        )


@blueprint.post(f"{P}/<raw_id>/read")
@require_scope("write:conversations")
async def read(raw_id: str) -> Response:
    viewer = current_actor()
    root, last = await _conversation(raw_id, viewer)
    await _mark(viewer, f"conv:{root}", last.id)
    bodies = await entities(runtime(), [last], viewer, hidden=True)
    if not bodies:
        raise not_found()
    return jsonify(bodies[0])


@blueprint.delete(f"{P}/<raw_id>")
@require_scope("write:conversations")
async def hide(raw_id: str) -> Response:
    viewer = current_actor()
    root, last = await _conversation(raw_id, viewer)
    await _mark(viewer, f"hide:{root}", last.id)
    return jsonify({})
