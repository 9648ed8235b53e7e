"""Opening a BigBlueButton room: the members' link of a BBB meeting names the project's node
with the room's secret; opening it creates the BBB meeting (idempotent for one meetingID, BBB API
`create`) and answers the signed `join` URL to redirect to."""

from __future__ import annotations

import hmac

import httpx

from fedihub import models
from fedihub.errors import Gone, NotFound, RemoteUnavailable
from fedihub.meetings import rooms
from fedihub.models import MeetingStatus
from fedihub.runtime import Runtime
from fedihub.security import http

MAX_ANSWER = 64_000


async def join_url(rt: Runtime, meeting_id: int, secret: str, full_name: str) -> str:
    meeting = await models.Meeting.get_or_none(id=meeting_id, local=True)
    if (
        meeting is None
        or meeting.room_engine != rooms.BBB
        or not meeting.room_secret
        or not hmac.compare_digest(meeting.room_secret.encode(), secret.encode())
    ):
        raise NotFound("no such room")
    if meeting.status is MeetingStatus.CANCELLED:
        raise Gone("this meeting was cancelled")
    if rooms.engine(rt.settings) != rooms.BBB:
        raise NotFound("this node no longer offers BigBlueButton rooms")
    create = rooms.bbb_create_url(rt.settings, meeting.room_secret, meeting.title)
    try:
        response = await rt.http.get(create)
        body = await http.read_limited(response, MAX_ANSWER)
    except httpx.HTTPError:
        raise RemoteUnavailable("the video server did not answer") from None
    if b"<returncode>SUCCESS</returncode>" not in body:
        raise RemoteUnavailable("the video server refused to open the room")
    return rooms.bbb_join_url(rt.settings, meeting.room_secret, full_name.strip() or "Guest")
