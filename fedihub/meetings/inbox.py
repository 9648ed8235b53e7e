"""Meetings of a remote project, on a member's node: the project's Group sends Create, Update
and Delete of its Events, and this node keeps them for its members (their meetings list and
calendar feeds). Only the Group may say what its meetings are, and only of ids on its own node.
"""

from __future__ import annotations

import logging
from typing import Any

from fedihub import models
from fedihub.activitypub import event_doc, parse
from fedihub.errors import BadRequest, Forbidden
from fedihub.meetings import activities, schedule
from fedihub.models import MeetingStatus
from fedihub.outbox import publish
from fedihub.projects import groups
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)


def is_project_event(signer: models.Actor, activity: parse.Activity) -> bool:
    """A Group's Create/Update of an Event posted in itself: a project meeting, kept here and
    never as a status (the social inbox leaves it alone)."""
    obj = activity.embedded
    return (
        signer.actor_type == "Group"
        and isinstance(obj, parse.ObjectDoc)
        and obj.type == "Event"
        and obj.audience == signer.uri
    )


async def _remote_project(signer: models.Actor) -> models.Project | None:
    if signer.actor_type != "Group" or signer.domain is None:
        return None
    project = await groups.for_actor(signer)
    return project if project is not None and not project.local else None


async def on_event(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """Create or Update of an Event by a remote project's Group: stored or changed here."""
    if not is_project_event(signer, activity):
        return
    project = await _remote_project(signer)
    if project is None:
        return
    assert isinstance(activity.embedded, parse.ObjectDoc)
    try:
        event = event_doc.event_doc(activity.embedded.document)
    except BadRequest as exc:
        log.info("meeting from %s not kept: %s", signer.uri, exc.public)
        return
    if parse.host_of(event.id) != signer.domain:
        raise Forbidden("a project's meetings live on its own node")
    timezone = event.timezone or "UTC"
    try:
        schedule.zone(timezone)
    except Exception:  # a zone this node does not know: the times are absolute anyway
        timezone = "UTC"
    organizer = (
        await models.Actor.get_or_none(uri=event.attributed_to) if event.attributed_to else None
    )
    fields: dict[str, Any] = {
        "project_id": project.id,
        "local": False,
        "organizer_id": organizer.id if organizer else None,
        "title": event.name,
        "description": event.description,
        "start_time": event.start_time,
        "end_time": event.end_time,
        "timezone": timezone,
        "previous_start_time": event.previous_start_time,
        "status": MeetingStatus.CANCELLED if event.cancelled else MeetingStatus.SCHEDULED,
        "room_engine": event.room_engine if event.room_url else "",
        "room_url": event.room_url,
    }
    existing = await models.Meeting.get_or_none(uri=event.id)
    if existing is None:
        if activity.type == "Create" or activity.type == "Update":
            await models.Meeting.create(uri=event.id, **fields)
        return
    if existing.project_id != project.id:
        raise Forbidden("a project can only change its own meetings")
    fields["sequence"] = existing.sequence + 1
    await existing.update_from_dict(fields).save()


async def on_delete(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A remote project's Delete of one of its meetings: kept as cancelled, so calendars say so."""
    project = await _remote_project(signer)
    uri = activity.object_id
    if project is None or not uri or parse.host_of(uri) != signer.domain:
        return
    meeting = await models.Meeting.get_or_none(uri=uri, project_id=project.id)
    if meeting is not None and meeting.status is not MeetingStatus.CANCELLED:
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        await meeting.save()


async def on_join(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A Join of one of our meetings: projects do not track attendance (`joinMode: "none"`), and
    FEP-8a8e asks such an organiser to answer `Ignore`."""
    uri = activity.object_id
    if not uri or signer.domain is None:
        return
    meeting = await models.Meeting.get_or_none(uri=uri, local=True)
    if meeting is None:
        return
    project = await groups.by_id(meeting.project_id)
    await publish.publish(rt, project.actor, activities.ignore(rt, project, activity.id), [signer])
