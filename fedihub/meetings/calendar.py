"""Each local user's private calendar feed: RFC 5545 `text/calendar` of her meetings across
projects and nodes, at a URL holding a secret token (calendar apps cannot sign in). Resetting
the token makes every copy of the old URL answer 404.

Times are written in UTC (`DTSTART:20260302T140000Z`, RFC 5545 §3.3.5 form #2), which needs no
VTIMEZONE; the meeting's own zone is named in the description.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from fedihub import models
from fedihub.errors import NotFound
from fedihub.meetings import schedule
from fedihub.models import MeetingStatus

CONTENT_TYPE = "text/calendar; charset=utf-8"
LOOK_BACK = timedelta(days=366)  # past meetings a feed still lists


async def token_of(actor: models.Actor) -> str:
    """Her feed's token, made on first use."""
    row = await models.MeetingCalendar.get_or_none(actor_id=actor.id)
    if row is not None:
        return row.token
    try:
        row = await models.MeetingCalendar.create(actor=actor, token=secrets.token_urlsafe(32))
    except IntegrityError:  # made by a concurrent request
        row = await models.MeetingCalendar.get(actor_id=actor.id)
    return row.token


async def reset(actor: models.Actor) -> str:
    """A new token; the old URL stops working."""
    token = secrets.token_urlsafe(32)
    updated = await models.MeetingCalendar.filter(actor_id=actor.id).update(token=token)
    if not updated:
        await models.MeetingCalendar.create(actor=actor, token=token)
    return token


async def owner_of(token: str) -> models.Actor:
    """The local user whose feed `token` names; NotFound for any other string."""
    if not token or len(token) > 64:
        raise NotFound("no such calendar")
    row = await models.MeetingCalendar.get_or_none(token=token).prefetch_related("actor")
    if row is None or row.actor.domain is not None or row.actor.deleted_at is not None:
        raise NotFound("no such calendar")
    return row.actor


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 §3.1): CRLF and one space before each
    continuation, never splitting a UTF-8 character."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def vevent(meeting: models.Meeting, project_name: str) -> list[str]:
    description = meeting.description
    extra = [f"Project: {project_name}", f"Time zone: {meeting.timezone}"]
    if meeting.room_url:
        extra.append(f"Room: {meeting.room_url}")
    description = "\n\n".join(part for part in (description, "\n".join(extra)) if part)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting.uri}",
        f"DTSTAMP:{_stamp(meeting.updated_at or meeting.created_at or datetime.now(UTC))}",
        f"DTSTART:{_stamp(meeting.start_time)}",
        f"DTEND:{_stamp(meeting.end_time)}",
        f"SEQUENCE:{meeting.sequence}",
        f"SUMMARY:{escape_text(meeting.title)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{meeting.room_url or meeting.uri}",
        "STATUS:" + ("CANCELLED" if meeting.status is MeetingStatus.CANCELLED else "CONFIRMED"),
    ]
    if meeting.room_url:
        lines.append(f"LOCATION:{escape_text(meeting.room_url)}")
    lines.append("END:VEVENT")
    return lines


def render(meetings: Iterable[tuple[models.Meeting, str]], name: str) -> str:
    """The whole VCALENDAR, CRLF line ends, folded lines."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//fedihub//meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for meeting, project_name in meetings:
        lines.extend(vevent(meeting, project_name))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


async def feed(actor: models.Actor) -> str:
    """Her meetings of the last year and to come, as a calendar."""
    rows = await schedule.mine(actor, start=datetime.now(UTC) - LOOK_BACK)
    names = dict(
        await models.Project.filter(id__in={m.project_id for m in rows}).values_list("id", "name")
    )
    return render(
        ((m, str(names.get(m.project_id, ""))) for m in rows), f"Meetings of @{actor.username}"
    )
