"""/api/fedihub/v1: project meetings. `POST projects/:id/meetings` (a member schedules one),
`GET|PATCH|DELETE meetings/:id` (DELETE cancels: the meeting stays, cancelled, in calendars),
`GET meetings` (mine, `from`/`to`), `GET meetings/calendar` (my feed's secret URL) and
`POST meetings/calendar/reset`. Scopes `read` and `write`; meetings are seen by the members of
their project only (anyone else: 404).
"""

from __future__ import annotations

from datetime import UTC, datetime

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import Params, invalid, params, parse_id
from fedihub.api.entities.meeting import meeting_entity
from fedihub.api.projects import visible
from fedihub.meetings import calendar, schedule
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_meetings", __name__)
V1 = "/api/fedihub/v1"


def _changes(p: Params) -> schedule.Changes:
    return schedule.Changes(
        title=p.str("title"),
        description=p.str("description"),
        start_time=p.str("start_time"),
        end_time=p.str("end_time"),
        timezone=p.str("timezone"),
    )


async def _entities(rt: Runtime, rows: list[models.Meeting]) -> list[dict[str, object]]:
    projects = {
        p.id: p
        for p in await models.Project.filter(id__in={m.project_id for m in rows}).prefetch_related(
            "actor"
        )
    }
    ids = {m.organizer_id for m in rows if m.organizer_id is not None}
    actors = {a.id: a for a in await models.Actor.filter(id__in=ids)} if ids else {}
    return [
        meeting_entity(rt, m, projects[m.project_id], actors.get(m.organizer_id or 0)) for m in rows
    ]


def _bound(p: Params, name: str) -> datetime | None:
    raw = p.str(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"{name} must be a date or a date and time", name) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _calendar_url(token: str) -> dict[str, str]:
    return {"url": f"{runtime().urls.base}/meetings/calendar/{token}.ics"}


@blueprint.post(f"{V1}/projects/<raw_id>/meetings")
@require_scope("write")
async def create(raw_id: str) -> Response:
    actor = current_actor()
    project = await visible(raw_id, actor)
    rt = runtime()
    made = await schedule.schedule(rt, project, actor, _changes(await params()))
    return jsonify((await _entities(rt, [made]))[0])


@blueprint.get(f"{V1}/projects/<raw_id>/meetings")
@require_scope("read")
async def of_project(raw_id: str) -> Response:
    actor = current_actor()
    project = await visible(raw_id, actor)
    if not await models.ProjectMember.filter(project_id=project.id, actor_id=actor.id).exists():
        return jsonify([])
    return jsonify(await _entities(runtime(), await schedule.of_project(project)))


@blueprint.get(f"{V1}/meetings")
@require_scope("read")
async def index() -> Response:
    p = await params()
    start, end = _bound(p, "from"), _bound(p, "to")
    if start is not None and end is not None and end < start:
        raise invalid("to must not be before from", "to")
    limit = p.int("limit", schedule.MAX_LISTED, low=1, high=schedule.MAX_LISTED, clamp=True)
    rows = await schedule.mine(current_actor(), start=start, end=end, limit=limit or 1)
    return jsonify(await _entities(runtime(), rows))


@blueprint.get(f"{V1}/meetings/calendar")
@require_scope("read")
async def calendar_url() -> Response:
    return jsonify(_calendar_url(await calendar.token_of(current_actor())))


@blueprint.post(f"{V1}/meetings/calendar/reset")
@require_scope("write")
async def calendar_reset() -> Response:
    return jsonify(_calendar_url(await calendar.reset(current_actor())))


@blueprint.get(f"{V1}/meetings/<raw_id>")
@require_scope("read")
async def show(raw_id: str) -> Response:
    meeting = await schedule.get(parse_id(raw_id), current_actor())
    return jsonify((await _entities(runtime(), [meeting]))[0])


@blueprint.patch(f"{V1}/meetings/<raw_id>")
@require_scope("write")
async def update(raw_id: str) -> Response:
    actor = current_actor()
    meeting = await schedule.get(parse_id(raw_id), actor)
    rt = runtime()
    meeting = await schedule.change(rt, meeting, actor, _changes(await params()))
    return jsonify((await _entities(rt, [meeting]))[0])


@blueprint.delete(f"{V1}/meetings/<raw_id>")
@require_scope("write")
async def destroy(raw_id: str) -> Response:
    actor = current_actor()
    meeting = await schedule.get(parse_id(raw_id), actor)
    rt = runtime()
    meeting = await schedule.cancel(rt, meeting, actor)
    return jsonify((await _entities(rt, [meeting]))[0])
