"""POST /api/v1/statuses/:id/mute and /unmute: Mastodon's conversation mutes (no more
notifications from the thread; fedihub/notifications/threads.py keeps them). The answer is the
status, with `muted`."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.entities.status import status as status_entity
from fedihub.api.statuses import visible_status
from fedihub.notifications import threads
from fedihub.web.common import runtime

blueprint = Blueprint("api_status_mutes", __name__)
P = "/api/v1/statuses"


async def _thread_status(raw_id: str) -> tuple[models.Status, models.Status]:
    """The status asked for, and the one whose thread it names (a boost's original)."""
    status = await visible_status(raw_id, current_actor())
    original = status
    if status.reblog_of_id is not None:
        found = await models.Status.get_or_none(id=status.reblog_of_id)
        original = found or status
    return status, original


@blueprint.post(f"{P}/<raw_id>/mute")
@require_scope("write:mutes")
async def mute(raw_id: str) -> Response:
    status, thread = await _thread_status(raw_id)
    await threads.mute(current_actor().id, thread)
    return jsonify(await status_entity(runtime(), status, current_actor()))


@blueprint.post(f"{P}/<raw_id>/unmute")
@require_scope("write:mutes")
async def unmute(raw_id: str) -> Response:
    status, thread = await _thread_status(raw_id)
    await threads.unmute(current_actor().id, thread)
    return jsonify(await status_entity(runtime(), status, current_actor()))
