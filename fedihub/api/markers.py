"""/api/v1/markers: where the user stopped reading the home timeline and the notifications, shared
between their clients. Each save bumps `version` (Mastodon's lock_version) and `updated_at`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from quart import Blueprint, Response, jsonify
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from fedihub import models
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import MAX_ID, digits, invalid, params
from fedihub.api.entities.common import iso

blueprint = Blueprint("api_markers", __name__)
TIMELINES = ("home", "notifications")


def entity(marker: models.Marker) -> dict[str, Any]:
    return {
        "last_read_id": str(marker.last_read_id),
        "version": marker.version,
        "updated_at": iso(marker.updated_at),
    }


async def _answer(actor: models.Actor, names: list[str]) -> Response:
    rows = await models.Marker.filter(actor_id=actor.id, timeline__in=names)
    rows = sorted(rows, key=lambda r: TIMELINES.index(r.timeline))
    return jsonify({row.timeline: entity(row) for row in rows})


@blueprint.get("/api/v1/markers")
@require_scope("read:statuses")
async def index() -> Response:
    p = await params()
    names = [str(n) for n in p.list("timeline") if str(n) in TIMELINES]
    return await _answer(current_actor(), names)


@blueprint.post("/api/v1/markers")
@require_scope("write:statuses")
async def save() -> Response:
    p = await params()
    actor = current_actor()
    saved: list[str] = []
    for name in TIMELINES:
        raw = p.hash(name).get("last_read_id")
        if raw is None:
            continue
        last_read_id = digits(raw)
        if last_read_id is None:
            raise invalid("Last read can't be blank", f"{name}[last_read_id]")
        if last_read_id > MAX_ID:
            raise invalid(f"{name}[last_read_id] must be at most {MAX_ID}", f"{name}[last_read_id]")
        # an atomic increment: two clients saving at once both count
        updated = await models.Marker.filter(actor_id=actor.id, timeline=name).update(
            last_read_id=last_read_id, version=F("version") + 1, updated_at=datetime.now(UTC)
        )
        if not updated:
            try:
                await models.Marker.create(
                    actor_id=actor.id, timeline=name, last_read_id=last_read_id
                )
            except IntegrityError:  # another client created it meanwhile: count this save too
                await models.Marker.filter(actor_id=actor.id, timeline=name).update(
                    last_read_id=last_read_id,
                    version=F("version") + 1,
                    updated_at=datetime.now(UTC),
                )
        saved.append(name)
    return await _answer(actor, saved)
