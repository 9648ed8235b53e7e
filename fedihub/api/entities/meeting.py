"""The fedihub API's Meeting entity (fedihub/meetings/openapi.py describes it). Built only for
members of the meeting's project: it carries the room."""

from __future__ import annotations

from typing import Any

from fedihub import models
from fedihub.api.entities.account import account, acct
from fedihub.api.entities.common import iso
from fedihub.runtime import Runtime


def meeting_entity(
    rt: Runtime,
    meeting: models.Meeting,
    project: models.Project,
    organizer: models.Actor | None,
) -> dict[str, Any]:
    actor = project.actor
    room = (
        {"engine": meeting.room_engine or None, "url": meeting.room_url}
        if meeting.room_url
        else None
    )
    return {
        "id": str(meeting.id),
        "uri": meeting.uri,
        "project": {
            "id": str(project.id),
            "name": project.name,
            "acct": f"{actor.username}@{rt.urls.domain}" if actor.domain is None else acct(actor),
            "local": project.local,
        },
        "organizer": account(rt, organizer) if organizer is not None else None,
        "title": meeting.title,
        "description": meeting.description,
        "start_time": iso(meeting.start_time),
        "end_time": iso(meeting.end_time),
        "timezone": meeting.timezone,
        "previous_start_time": iso(meeting.previous_start_time),
        "status": meeting.status.value,
        "room": room,
        "created_at": iso(meeting.created_at),
        "updated_at": iso(meeting.updated_at),
    }
