"""Meetings over HTTP outside the API: the Event document of a meeting (ActivityPub), each
member's calendar feed at its secret URL, and the door to a BigBlueButton room.

The Event holds the room (a bearer secret): the full document goes to a signed request from a
member of the project; a node where a member lives (its instance actor signs) gets it without
the room; anyone else gets 404, as for a members-only project.
"""

from __future__ import annotations

from quart import Blueprint, Response, redirect, request
from werkzeug.wrappers.response import Response as Redirect

from fedihub import models
from fedihub.errors import NotFound
from fedihub.meetings import activities, calendar, join, schedule
from fedihub.projects import groups
from fedihub.web.common import runtime
from fedihub.web.federation import as_response, requester_for_documents

blueprint = Blueprint("meetings", __name__)


def _id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 19:
        raise NotFound("no such meeting")
    return int(raw)


@blueprint.get("/projects/<handle>/meetings/<raw_id>")
async def event(handle: str, raw_id: str) -> Response:
    requester = await requester_for_documents()
    project = await groups.local_by_handle(handle)
    meeting = await models.Meeting.get_or_none(id=_id(raw_id), project_id=project.id, local=True)
    if meeting is None or requester is None:
        raise NotFound("no such meeting")
    if await schedule.is_member(meeting, requester):
        with_room = True
    elif requester.domain is not None and await groups.is_member_node(project, requester.domain):
        with_room = False
    else:
        raise NotFound("no such meeting")
    organizer = (
        await models.Actor.get_or_none(id=meeting.organizer_id) if meeting.organizer_id else None
    )
    doc = activities.event(runtime(), project, meeting, organizer, with_room=with_room)
    return as_response(doc)


@blueprint.get("/meetings/calendar/<name>")
async def feed(name: str) -> Response:
    if not name.endswith(".ics"):
        raise NotFound("no such calendar")
    owner = await calendar.owner_of(name[: -len(".ics")])
    return Response(
        await calendar.feed(owner),
        content_type=calendar.CONTENT_TYPE,
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="meetings.ics"',
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        },
    )


@blueprint.get("/meetings/<raw_id>/room/<secret>")
async def room(raw_id: str, secret: str) -> Redirect:
    name = (request.args.get("name") or "")[:100]
    target = await join.join_url(runtime(), _id(raw_id), secret, name)
    response = redirect(target, 302)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
