"""Live updates for the reader's own pages (home, notifications, direct messages).

The Mastodon streaming API wants a bearer token, which the pages never hold: this endpoint takes
the page's session cookie instead and sends only that something arrived, never what. The page
then offers a reload, so nothing received is ever written into it as HTML, and a stream carries
no content that a leaked or cross-site request could read. The stream ends within a heartbeat
once the session is over (signed out, revoked in the settings' list of sessions, a password
change, a disabled account).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from quart import Blueprint, Quart, Response

from fedihub import events
from fedihub.errors import NotFound
from fedihub.web import session
from fedihub.web.common import runtime
from fedihub.web.page_kit import signed_in

blueprint = Blueprint("live", __name__)
HEARTBEAT_S = 15.0

# the page's stream -> (the bus channel prefix, the bus event the page counts)
_STREAMS = {
    "home": ("user", "update"),
    "notifications": ("user:notification", "notification"),
    "direct": ("direct", "conversation"),
}


@blueprint.get("/live/<name>")
async def live(name: str) -> Response:
    """Server-sent events: `event: <name>` with no data for each arrival on the reader's stream."""
    if name not in _STREAMS:
        raise NotFound("no such live stream")
    user = await signed_in()
    rt = runtime()
    if rt.bus is None:  # the web role always opens one (node.running)
        raise RuntimeError("no event bus runs in this process")
    prefix, counted = _STREAMS[name]
    subscription = rt.bus.subscribe([f"{prefix}:{user.actor_id}"])
    user_id, epoch, key_hash = user.id, user.session_epoch, session.current_key_hash()

    async def body() -> AsyncIterator[bytes]:
        try:
            yield b":)\n\n"
            while True:
                event: events.Event | None = await subscription.next_event(HEARTBEAT_S)
                if event is None:
                    if not await session.still_signed_in(user_id, epoch, key_hash):
                        return
                    yield b":thump\n\n"
                elif event.get("event") == counted:
                    yield f"event: {name}\ndata: {{}}\n\n".encode()
        finally:
            subscription.close()

    response = Response(body(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # proxies must pass events on at once
    response.timeout = None  # a stream lasts as long as its page stays open
    return response


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)
