"""An FEP-8a8e `Event` as a peer sends it, read into a typed value: the fields a project meeting
keeps. Accepts the room from `location` (a VirtualLocation or a list of locations), or from
Mobilizon's `attachment` (a PropertyValue `mz:visio:*`, or a Link named "Website"). Imports
nothing of fedihub but the protocol's own parsing helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from fedihub.activitypub.parse import first_url, http_url, parse_time
from fedihub.errors import BadRequest

MAX_TITLE = 255
MAX_DESCRIPTION = 20_000


@dataclass(frozen=True)
class EventDoc:
    id: str
    name: str
    description: str  # plain text: `source.content`, else `content` as sent (sanitise to show)
    start_time: datetime
    end_time: datetime
    timezone: str | None
    cancelled: bool
    attributed_to: str | None
    audience: str | None
    room_url: str | None
    room_engine: str  # "jitsi", "bbb" or "" (unknown or none)
    previous_start_time: datetime | None


def _status_word(value: object) -> str:
    """`EventCancelled`, `sc:EventCancelled`, `https://schema.org/EventCancelled`: the last part."""
    if not isinstance(value, str):
        return ""
    for sep in ("/", "#", ":"):
        value = value.rsplit(sep, 1)[-1]
    return value


def _room(doc: Mapping[str, object]) -> tuple[str | None, str]:
    locations = doc.get("location")
    for item in locations if isinstance(locations, list) else [locations]:
        if isinstance(item, Mapping) and item.get("type") == "VirtualLocation":
            url = first_url(item.get("url"))
            if url:
                name = str(item.get("name") or "").lower()
                kind = "bbb" if "bigbluebutton" in name else ("jitsi" if "jitsi" in name else "")
                return url, kind
    attachments = doc.get("attachment")
    for item in attachments if isinstance(attachments, list) else [attachments]:
        if not isinstance(item, Mapping):
            continue
        prop = str(item.get("propertyID") or "")
        if item.get("type") == "PropertyValue" and prop.startswith("mz:visio:"):
            url = http_url(item.get("value"))
            if url:
                kind = {"jitsi_meet": "jitsi", "big_blue_button": "bbb"}.get(prop[9:], "")
                return url, kind
    return None, ""


def event_doc(doc: Mapping[str, object]) -> EventDoc:
    """Read an Event; BadRequest without an id, a start or an end."""
    ident = http_url(doc.get("id"))
    if ident is None:
        raise BadRequest("event has no id URL")
    start, end = parse_time(doc.get("startTime")), parse_time(doc.get("endTime"))
    if start is None or end is None or end < start:
        raise BadRequest("event needs a startTime and a later endTime")
    name = doc.get("name")
    source = doc.get("source")
    description = source.get("content") if isinstance(source, Mapping) else doc.get("content")
    timezone = doc.get("timezone")
    status = _status_word(doc.get("eventStatus"))
    ical = doc.get("ical:status") or doc.get("status")
    url, kind = _room(doc)
    return EventDoc(
        id=ident,
        name=(name if isinstance(name, str) else "")[:MAX_TITLE] or "(untitled)",
        description=(description if isinstance(description, str) else "")[:MAX_DESCRIPTION],
        start_time=start,
        end_time=end,
        timezone=timezone if isinstance(timezone, str) and len(timezone) <= 64 else None,
        cancelled=status == "EventCancelled" or ical == "CANCELLED",
        attributed_to=first_url(doc.get("attributedTo")),
        audience=first_url(doc.get("audience")),
        room_url=url,
        room_engine=kind,
        previous_start_time=parse_time(doc.get("previousStartTime")),
    )
