"""/api/v1/notifications: list (with types[] / exclude_types[] filters), get, dismiss, clear."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api import filters, pagination
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import not_found, params, parse_id
from fedihub.api.entities.account import account
from fedihub.api.entities.common import iso
from fedihub.api.entities.status import statuses_by_id
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_notifications", __name__)
P = "/api/v1/notifications"


async def entities(
    rt: Runtime, rows: list[models.Notification], viewer: models.Actor
) -> list[dict[str, Any]]:
    actors = {a.id: a for a in await models.Actor.filter(id__in={r.from_actor_id for r in rows})}
    status_ids = [r.status_id for r in rows if r.status_id]
    found = (
        await models.Status.filter(id__in=status_ids, deleted_at__isnull=True) if status_ids else []
    )
    rendered = await statuses_by_id(rt, list(found), viewer)
    # the viewer's filters of the notifications context: a hidden status takes its
    # notification along, as on Mastodon
    kept = await filters.apply(viewer, "notifications", list(rendered.values()))
    rendered = {int(body["id"]): body for body in kept}
    out = []
    for row in rows:
        if row.status_id and row.status_id not in rendered:
            # the status is gone, or no longer the recipient's to read (a block, a lost
            # follow): so is the notification, as on Mastodon
            continue
        out.append(
            {
                "id": str(row.id),
                "type": row.kind,
                "created_at": iso(row.created_at),
                "group_key": f"ungrouped-{row.id}",
                "account": account(rt, actors[row.from_actor_id]),
                "status": rendered.get(row.status_id) if row.status_id else None,
            }
        )
    return out


@blueprint.get(P)
@require_scope("read:notifications")
async def index() -> Response:
    viewer = current_actor()
    p = await params()
    query = models.Notification.filter(recipient_id=viewer.id)
    if p.list("types"):
        query = query.filter(kind__in=[str(t) for t in p.list("types")])
    if p.list("exclude_types"):
        query = query.exclude(kind__in=[str(t) for t in p.list("exclude_types")])
    if p.str("account_id"):
        query = query.filter(from_actor_id=parse_id(p.str("account_id")))
    pg = pagination.page(p, default=40, maximum=80)
    rows = await pagination.fetch(query, pg)
    response = jsonify(await entities(runtime(), rows, viewer))
    link = pagination.link_header(rows[0].id if rows else None, rows[-1].id if rows else None)
    if link:
        response.headers["Link"] = link
    return response


@blueprint.get(f"{P}/<raw_id>")
@require_scope("read:notifications")
async def show(raw_id: str) -> Response:
    row = await models.Notification.get_or_none(
        id=parse_id(raw_id), recipient_id=current_actor().id
    )
    if row is None:
        raise not_found()
    found = await entities(runtime(), [row], current_actor())
    if not found:
        raise not_found()
    return jsonify(found[0])


@blueprint.post(f"{P}/<raw_id>/dismiss")
@require_scope("write:notifications")
async def dismiss(raw_id: str) -> Response:
    await models.Notification.filter(id=parse_id(raw_id), recipient_id=current_actor().id).delete()
    return jsonify({})


@blueprint.post(f"{P}/clear")
@require_scope("write:notifications")
async def clear() -> Response:
    await models.Notification.filter(recipient_id=current_actor().id).delete()
    return jsonify({})
