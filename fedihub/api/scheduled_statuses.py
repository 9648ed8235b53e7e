"""/api/v1/scheduled_statuses: list, show, move and cancel the statuses a user scheduled
(POST /api/v1/statuses with `scheduled_at` makes them; social/scheduled.py publishes them)."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import invalid, params, parse_id
from fedihub.api.entities.scheduled_status import scheduled_status, scheduled_statuses
from fedihub.errors import Invalid
from fedihub.social import scheduled
from fedihub.web.common import runtime

blueprint = Blueprint("api_scheduled_statuses", __name__)
P = "/api/v1/scheduled_statuses"


@blueprint.get(P)
@require_scope("read:statuses")
async def index() -> Response:
    pg = pagination.page(await params(), default=20, maximum=40)  # Mastodon's limits for this list
    query = models.ScheduledStatus.filter(actor_id=current_actor().id, publishing_at__isnull=True)
    rows = await pagination.fetch(query, pg)
    return pagination.with_link(jsonify(await scheduled_statuses(runtime(), rows)), rows)


@blueprint.get(f"{P}/<raw_id>")
@require_scope("read:statuses")
async def show(raw_id: str) -> Response:
    row = await scheduled.own(current_actor(), parse_id(raw_id))
    return jsonify(await scheduled_status(runtime(), row))


@blueprint.put(f"{P}/<raw_id>")
@require_scope("write:statuses")
async def update(raw_id: str) -> Response:
    p = await params()
    try:
        at = scheduled.parse_time(p.str("scheduled_at"))
        if at is None:  # nothing to change, as on Mastodon
            row = await scheduled.own(current_actor(), parse_id(raw_id))
        else:
            row = await scheduled.reschedule(current_actor(), parse_id(raw_id), at)
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    return jsonify(await scheduled_status(runtime(), row))


@blueprint.delete(f"{P}/<raw_id>")
@require_scope("write:statuses")
async def destroy(raw_id: str) -> Response:
    await scheduled.cancel(current_actor(), parse_id(raw_id))
    return jsonify({})
