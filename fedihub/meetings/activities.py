"""The ActivityStreams documents of meetings: an FEP-8a8e `Event` with Mobilizon's room fields,
and the Group's Create, Update and Delete of it. Built from rows; no database writes. The room
appears only when the caller says the document goes to members (`with_room`).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fedihub import models
from fedihub.activitypub.documents import format_datetime
from fedihub.activitypub.vocabulary import AS_CONTEXT
from fedihub.ids import new_id
from fedihub.meetings import rooms
from fedihub.models import MeetingStatus
from fedihub.runtime import Runtime

# the terms of Mobilizon's make_json_ld_header this document uses (sc:, ical:, mz:)
EVENT_CONTEXT: list[Any] = [
    AS_CONTEXT,
    {
        "sc": "http://schema.org#",
        "ical": "http://www.w3.org/2002/12/cal/ical#",
        "mz": "https://joinmobilizon.org/ns#",
        "PropertyValue": "sc:PropertyValue",
        "propertyID": "sc:propertyID",
        "value": "sc:value",
        "VirtualLocation": "sc:VirtualLocation",
        "eventStatus": {"@id": "sc:eventStatus", "@type": "@vocab"},
        "EventScheduled": "sc:EventScheduled",
        "EventRescheduled": "sc:EventRescheduled",
        "EventCancelled": "sc:EventCancelled",
        "EventMovedOnline": "sc:EventMovedOnline",
        "previousStartTime": {"@id": "sc:previousStartDate", "@type": "sc:DateTime"},
        "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
        "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
        "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
        "organizers": {"@id": "mz:organizers", "@type": "@id"},
    },
]


def event_status(meeting: models.Meeting) -> str:
    """schema.org's EventStatusType as FEP-8a8e uses it."""
    if meeting.status is MeetingStatus.CANCELLED:
        return "EventCancelled"
    return "EventRescheduled" if meeting.previous_start_time else "EventScheduled"


def when(meeting: models.Meeting) -> str:
    """ "2026-03-02 14:00 UTC (15:00 Europe/Berlin)": what Mastodon users read, which never see
    `startTime` (mastodon#12637 converts an Event into its name, summary and link)."""
    start = meeting.start_time.astimezone(UTC)
    text = f"{start:%Y-%m-%d %H:%M} UTC"
    if meeting.timezone and meeting.timezone != "UTC":
        local = meeting.start_time.astimezone(ZoneInfo(meeting.timezone))
        text += f" ({local:%Y-%m-%d %H:%M} {meeting.timezone})"
    return text


def summary(meeting: models.Meeting) -> str:
    """One line without the room: start in UTC and the meeting's zone, online or not."""
    parts = [when(meeting)]
    if meeting.room_engine:
        parts.append(f"online ({rooms.ENGINE_NAMES.get(meeting.room_engine, 'video')})")
    if meeting.status is MeetingStatus.CANCELLED:
        parts.append("cancelled")
    return html.escape(" · ".join(parts))


def event(
    rt: Runtime,
    project: models.Project,
    meeting: models.Meeting,
    organizer: models.Actor | None,
    *,
    with_room: bool,
) -> dict[str, Any]:
    """The meeting as an Event owned by the project's Group, to its members."""
    group = project.actor
    cancelled = meeting.status is MeetingStatus.CANCELLED
    doc: dict[str, Any] = {
        "@context": EVENT_CONTEXT,
        "id": meeting.uri,
        "type": "Event",
        "name": meeting.title,
        "summary": summary(meeting),
        "content": html.escape(meeting.description).replace("\n", "<br>"),
        "mediaType": "text/html",
        "source": {"content": meeting.description, "mediaType": "text/plain"},
        "startTime": format_datetime(meeting.start_time),
        "endTime": format_datetime(meeting.end_time),
        "timezone": meeting.timezone,
        "eventStatus": event_status(meeting),
        "ical:status": "CANCELLED" if cancelled else "CONFIRMED",
        "attributedTo": organizer.uri if organizer is not None else group.uri,
        "organizers": {
            "type": "Collection",
            "totalItems": 1,
            "items": [organizer.uri if organizer is not None else group.uri],
        },
        "audience": group.uri,
        "to": [project.members_url or rt.urls.project_members(group.username)],
        "cc": [],
        "url": meeting.uri,
        "published": format_datetime(meeting.created_at or datetime.now(UTC)),
        "isOnline": bool(meeting.room_engine),
        "joinMode": "none",  # attendance is not tracked: a Join is answered Ignore
    }
    if meeting.updated_at is not None:
        doc["updated"] = format_datetime(meeting.updated_at)
    if meeting.previous_start_time is not None:
        doc["previousStartTime"] = format_datetime(meeting.previous_start_time)
    if with_room and meeting.room_url:
        engine = rooms.ENGINE_NAMES.get(meeting.room_engine, "Video")
        doc["location"] = {"type": "VirtualLocation", "name": engine, "url": meeting.room_url}
        doc["attachment"] = [
            # Mobilizon's "online address" and its visio metadata (converter/event.ex)
            {"type": "Link", "name": "Website", "mediaType": "text/html", "href": meeting.room_url},
            {
                "type": "PropertyValue",
                "propertyID": rooms.MOBILIZON_VISIO.get(meeting.room_engine, "mz:visio:jitsi_meet"),
                "value": meeting.room_url,
            },
        ]
    return doc


def activity(
    rt: Runtime,
    project: models.Project,
    meeting: models.Meeting,
    organizer: models.Actor | None,
    kind: str,
) -> dict[str, Any]:
    """Create, Update or Delete of the Event by the project's Group, to its members' nodes: the
    room travels inside (each member's node keeps it for her)."""
    group = project.actor
    obj: Any = (
        event(rt, project, meeting, organizer, with_room=True) if kind != "Delete" else meeting.uri
    )
    return {
        "@context": EVENT_CONTEXT,
        "id": rt.urls.project_activity(group.username, kind, new_id()),
        "type": kind,
        "actor": group.uri,
        "object": obj,
        "to": [project.members_url or rt.urls.project_members(group.username)],
        "published": format_datetime(datetime.now(UTC)),
    }


def ignore(rt: Runtime, project: models.Project, join_id: str) -> dict[str, Any]:
    """The Group's answer to a Join of one of its meetings (FEP-8a8e § RSVP)."""
    group = project.actor
    return {
        "@context": AS_CONTEXT,
        "id": rt.urls.project_activity(group.username, "ignore", new_id()),
        "type": "Ignore",
        "actor": group.uri,
        "object": join_id,
    }
