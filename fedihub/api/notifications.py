"""/api/v1/notifications: list (with types[] / exclude_types[] filters), get, dismiss, clear, and
the count of those not read yet (after the notifications marker)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify
from tortoise.queryset import QuerySet

from fedihub import models
from fedihub.api import filters, pagination
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import Params, not_found, params, parse_id
from fedihub.api.entities.notification import notifications as notification_entities
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_notifications", __name__)
P = "/api/v1/notifications"


async def entities(
    rt: Runtime, rows: list[models.Notification], viewer: models.Actor
) -> list[dict[str, Any]]:
    """The notification entities, through the viewer's filters of the notifications context: a
    status a `hide` filter matches takes its notification along, as on Mastodon."""
    bodies = await notification_entities(rt, rows, viewer)
    statuses = [body["status"] for body in bodies if body["status"] is not None]
    kept = {
        entity["id"]: entity for entity in await filters.apply(viewer, "notifications", statuses)
    }
    out = []
    for body in bodies:
        if body["status"] is None:
            out.append(body)
        elif body["status"]["id"] in kept:
            out.append({**body, "status": kept[body["status"]["id"]]})
    return out


def scoped(viewer: models.Actor, p: Params) -> QuerySet[models.Notification]:
    """The viewer's notifications narrowed by the list parameters Mastodon's v1 and v2 share:
    types[], exclude_types[], account_id, include_filtered (held by the policy: left out unless
    asked for)."""
    query = models.Notification.filter(recipient_id=viewer.id)
    if p.list("types"):
        query = query.filter(kind__in=[str(t) for t in p.list("types")])
    if p.list("exclude_types"):
        query = query.exclude(kind__in=[str(t) for t in p.list("exclude_types")])
    if p.str("account_id"):
        query = query.filter(from_actor_id=parse_id(p.str("account_id")))
    if not p.bool("include_filtered", False):
        query = query.filter(filtered=False)
    return query


async def last_read_id(viewer: models.Actor) -> int | None:
    marker = await models.Marker.get_or_none(actor_id=viewer.id, timeline="notifications")
    return marker.last_read_id if marker else None


@blueprint.get(f"{P}/unread_count")
@require_scope("read:notifications")
async def unread_count() -> Response:
    """Mastodon 4.3: how many notifications came after the notifications marker (all of them
    without one), counted up to `limit` (100 unless asked, 1000 at most)."""
    viewer = current_actor()
    p = await params()
    limit = p.int("limit", 100, low=1, high=1000, clamp=True) or 100
    query = scoped(viewer, p)
    last = await last_read_id(viewer)
    if last is not None:
        query = query.filter(id__gt=last)
    return jsonify({"count": await query.limit(limit).count()})


@blueprint.get(P)
@require_scope("read:notifications")
async def index() -> Response:
    viewer = current_actor()
    p = await params()
    query = scoped(viewer, p)
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
