"""Rooms on the video engine the admin configured (settings `jitsi_url`, or `bbb_url` with
`bbb_secret`); fedihub never runs a video server itself.

- Jitsi Meet: the room is `<base>/<unguessable name>` (secrets.token_urlsafe): the URL is the
  bearer secret, so it only ever goes to members.
- BigBlueButton: the API is called with a checksum, sha1 of the call's name, its query string
  and the shared secret (BBB API docs, "API Security Model"). A BBB meeting is created when the
  first member opens the room (BBB ends meetings nobody joined within minutes, so creating one
  at scheduling time would not last): the members' link names an endpoint of the project's node,
  holding a secret, that creates the meeting (create is idempotent for one meetingID) and
  redirects to the join URL.

Imports only the settings: no database, no HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from fedihub.config import Settings

JITSI = "jitsi"
BBB = "bbb"
ENGINE_NAMES = {JITSI: "Jitsi Meet", BBB: "BigBlueButton"}
# Mobilizon's PropertyValue ids for a visio link (src/services/EventMetadata.ts)
MOBILIZON_VISIO = {JITSI: "mz:visio:jitsi_meet", BBB: "mz:visio:big_blue_button"}


@dataclass(frozen=True)
class Room:
    engine: str
    secret: str  # Jitsi: the room name; BBB: the meetingID


def engine(settings: Settings) -> str:
    """The configured engine, or "" when meetings have no room."""
    if settings.jitsi_url:
        return JITSI
    if settings.bbb_url and settings.bbb_secret:
        return BBB
    return ""


def new_room(settings: Settings) -> Room | None:
    kind = engine(settings)
    if not kind:
        return None
    return Room(kind, f"fedihub-{secrets.token_urlsafe(24)}")


def jitsi_url(settings: Settings, name: str) -> str:
    return f"{settings.jitsi_url.rstrip('/')}/{name}"


def _bbb_api(settings: Settings) -> str:
    base = settings.bbb_url.rstrip("/")
    return base if base.endswith("/api") else f"{base}/api"


def bbb_call(settings: Settings, call: str, params: dict[str, str]) -> str:
    """The URL of one BBB API call, signed with the shared secret."""
    query = urlencode(params)
    checksum = hashlib.sha1(
        f"{call}{query}{settings.bbb_secret}".encode(), usedforsecurity=False
    ).hexdigest()
    return f"{_bbb_api(settings)}/{call}?{query}&checksum={checksum}"


def _password(settings: Settings, meeting_id: str, role: str) -> str:
    # derived, not stored: BBB before 2.4 joins by password, later versions by role
    return hmac.new(
        settings.bbb_secret.encode(), f"{meeting_id}:{role}".encode(), hashlib.sha256
    ).hexdigest()[:24]


def bbb_create_url(settings: Settings, meeting_id: str, name: str) -> str:
    return bbb_call(
        settings,
        "create",
        {
            "name": name[:200],
            "meetingID": meeting_id,
            "attendeePW": _password(settings, meeting_id, "VIEWER"),
            "moderatorPW": _password(settings, meeting_id, "MODERATOR"),
        },
    )


def bbb_join_url(settings: Settings, meeting_id: str, full_name: str) -> str:
    # project members are peers: each joins as a moderator
    return bbb_call(
        settings,
        "join",
        {
            "fullName": full_name[:100] or "Guest",
            "meetingID": meeting_id,
            "role": "MODERATOR",
            "password": _password(settings, meeting_id, "MODERATOR"),
            "redirect": "true",
        },
    )
