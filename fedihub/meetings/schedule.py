"""Meetings on the project's node, whose rows are the truth: a member schedules one (with a room
on the configured video engine), the organiser or a maintainer moves, renames or cancels it.
Every change is published to the members' nodes (`Create`/`Update` of the Event by the project's
Group), and a direct message tells each member, what Mastodon users read (it drops `Event`
updates: PROTOCOLS.md §7) and what puts the meeting in every member's notifications.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fedihub import models
from fedihub.errors import Forbidden, Invalid, NotFound
from fedihub.ids import new_id
from fedihub.meetings import activities, rooms
from fedihub.models import MeetingStatus
from fedihub.outbox import publish
from fedihub.projects import groups, members, notices
from fedihub.runtime import Runtime

MAX_TITLE = 255
MAX_DESCRIPTION = 20_000
MAX_LENGTH = timedelta(days=7)
MAX_LISTED = 500


@dataclass(frozen=True)
class Changes:
    """What a create or change sets; None leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    timezone: str | None = None


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    """An IANA time zone; Invalid naming `field` for one that does not exist."""
    if not name or len(name) > 64:
        raise Invalid(f"{field} must be an IANA time zone such as Europe/Berlin", field=field)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Invalid(f"{field}: no such time zone {name[:64]!r}", field=field) from None


def _moment(raw: str, tz: ZoneInfo, field: str) -> datetime:
    """An ISO 8601 date and time; one without an offset is read in the meeting's time zone."""
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(
            f"{field} must be a date and time like 2026-03-02T15:00", field=field
        ) from None
    if not 1970 <= value.year <= 9000:
        raise Invalid(f"{field} must be a date between 1970 and 9000", field=field)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def _apply(meeting: models.Meeting, c: Changes) -> bool:
    """Apply changes; True when the meeting moved (its start or end changed)."""
    if c.title is not None:
        title = c.title.strip()
        if not title or len(title) > MAX_TITLE:
            raise Invalid(f"title must be 1 to {MAX_TITLE} characters", field="title")
        meeting.title = title
    if c.description is not None:
        if len(c.description) > MAX_DESCRIPTION:
            raise Invalid(f"description over {MAX_DESCRIPTION} characters", field="description")
        meeting.description = c.description
    if c.timezone is not None:
        zone(c.timezone)
        meeting.timezone = c.timezone
    tz = zone(meeting.timezone)
    start, end = meeting.start_time, meeting.end_time
    if c.start_time is not None:
        start = _moment(c.start_time, tz, "start_time")
    if c.end_time is not None:
        end = _moment(c.end_time, tz, "end_time")
    if start is None:
        raise Invalid("start_time is required", field="start_time")
    if end is None:
        raise Invalid("end_time is required", field="end_time")
    if end <= start:
        raise Invalid("end_time must be after start_time", field="end_time")
    if end - start > MAX_LENGTH:
        raise Invalid("end_time: a meeting lasts at most 7 days", field="end_time")
    moved = (meeting.start_time, meeting.end_time) != (start, end)
    if moved and meeting.start_time is not None and start != meeting.start_time:
        meeting.previous_start_time = meeting.start_time
    meeting.start_time, meeting.end_time = start, end
    return moved


async def _organizer(meeting: models.Meeting) -> models.Actor | None:
    if meeting.organizer_id is None:
        return None
    return await models.Actor.get_or_none(id=meeting.organizer_id)


async def _publish(
    rt: Runtime, project: models.Project, meeting: models.Meeting, kind: str
) -> None:
    recipients = await members.remote_members(project)
    if recipients:
        doc = activities.activity(rt, project, meeting, await _organizer(meeting), kind)
        await publish.publish(rt, project.actor, doc, recipients)


async def _tell_members(
    rt: Runtime, project: models.Project, meeting: models.Meeting, what: str, author: models.Actor
) -> None:
    """A direct message from the project to each member but the one who made the change: their
    notification on every node, and all a Mastodon member learns (with the room, as she is a
    member and the message goes to her alone)."""
    text = (
        f"Meeting {what} in {html.escape(project.name)}: "
        f"<strong>{html.escape(meeting.title)}</strong>, {activities.when(meeting)}"
    )
    if meeting.room_url and meeting.status is MeetingStatus.SCHEDULED:
        link = html.escape(meeting.room_url, quote=True)
        text += f' · room: <a href="{link}">{link}</a>'
    for member, _role in await members.member_rows(project):
        if member.id != author.id and member.deleted_at is None:
            await notices.direct_note(rt, project, member, text)


async def schedule(
    rt: Runtime, project: models.Project, actor: models.Actor, c: Changes
) -> models.Meeting:
    """A member schedules a meeting of a project hosted here."""
    if not project.local:
        raise Forbidden("meetings are scheduled on the project's own node")
    if await groups.role_of(project, actor) is None:
        raise Forbidden("only the project's members may schedule meetings")
    if c.title is None:
        raise Invalid("title is required", field="title")
    meeting_id = new_id()
    meeting = models.Meeting(
        id=meeting_id,
        uri=f"{project.actor.uri}/meetings/{meeting_id}",
        project=project,
        local=True,
        organizer=actor,
        title="",
        timezone="UTC",
    )
    meeting.start_time = None  # type: ignore[assignment]  # set by _apply, which requires it
    meeting.end_time = None  # type: ignore[assignment]
    _apply(meeting, Changes(**{**c.__dict__, "timezone": c.timezone or "UTC"}))
    meeting.previous_start_time = None
    room = rooms.new_room(rt.settings)
    if room is not None:
        meeting.room_engine, meeting.room_secret = room.engine, room.secret
        meeting.room_url = (
            rooms.jitsi_url(rt.settings, room.secret)
            if room.engine == rooms.JITSI
            else rt.urls.base + f"/meetings/{meeting_id}/room/{room.secret}"
        )
    await meeting.save(force_create=True)
    await _publish(rt, project, meeting, "Create")
    await _tell_members(rt, project, meeting, "scheduled", actor)
    return meeting


async def _may_change(
    project: models.Project, meeting: models.Meeting, actor: models.Actor
) -> None:
    if not project.local:
        raise Forbidden("a remote project's meetings change on its own node")
    role = await groups.role_of(project, actor)
    if role is None:
        raise NotFound("Record not found")
    if meeting.organizer_id != actor.id and role not in groups.MANAGERS:
        raise Forbidden("only the organiser or the project's maintainers may change a meeting")


async def change(
    rt: Runtime, meeting: models.Meeting, actor: models.Actor, c: Changes
) -> models.Meeting:
    project = await groups.by_id(meeting.project_id)
    await _may_change(project, meeting, actor)
    if meeting.status is MeetingStatus.CANCELLED:
        raise Invalid("status: a cancelled meeting cannot change", field="status")
    moved = _apply(meeting, c)
    meeting.sequence += 1
    await meeting.save()
    await _publish(rt, project, meeting, "Update")
    if moved:
        await _tell_members(rt, project, meeting, "moved", actor)
    return meeting


async def cancel(rt: Runtime, meeting: models.Meeting, actor: models.Actor) -> models.Meeting:
    """Cancel: kept (calendars show it cancelled), published as an Update with EventCancelled."""
    project = await groups.by_id(meeting.project_id)
    await _may_change(project, meeting, actor)
    if meeting.status is MeetingStatus.CANCELLED:
        return meeting
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    await meeting.save()
    await _publish(rt, project, meeting, "Update")
    await _tell_members(rt, project, meeting, "cancelled", actor)
    return meeting


# ---- reading -----------------------------------------------------------------------------------


async def get(meeting_id: int, viewer: models.Actor | None) -> models.Meeting:
    """A meeting its viewer may see: a member of its project; NotFound for anyone else."""
    meeting = await models.Meeting.get_or_none(id=meeting_id)
    if meeting is None or viewer is None:
        raise NotFound("Record not found")
    if not await models.ProjectMember.filter(
        project_id=meeting.project_id, actor_id=viewer.id
    ).exists():
        raise NotFound("Record not found")
    return meeting


async def is_member(meeting: models.Meeting, actor: models.Actor | None) -> bool:
    if actor is None:
        return False
    return await models.ProjectMember.filter(
        project_id=meeting.project_id, actor_id=actor.id
    ).exists()


async def mine(
    actor: models.Actor,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = MAX_LISTED,
) -> list[models.Meeting]:
    """The meetings of every project `actor` is a member of (hosted here or mirrored), ending
    after `start` and starting before `end`, by start time."""
    query = models.Meeting.filter(
        project__members__actor_id=actor.id, project__deleted_at__isnull=True
    )
    if start is not None:
        query = query.filter(end_time__gte=start)
    if end is not None:
        query = query.filter(start_time__lt=end)
    return await query.order_by("start_time", "id").limit(limit).distinct()


async def of_project(project: models.Project) -> list[models.Meeting]:
    return (
        await models.Meeting.filter(project_id=project.id).order_by("start_time").limit(MAX_LISTED)
    )
