"""/api/v1/streaming: live events over a WebSocket (Mastodon's wire format) and over server-sent
events (/api/v1/streaming/user, /public, /public/local, /hashtag?tag=, /list?list=, /direct ...).

A connection subscribes to bus channels (fedihub.events); stream_events.py decides at publish
time who hears of what. Here, per subscriber, public and hashtag events of authors the viewer
blocked, muted or was blocked by are left out. The token comes as Mastodon clients send it: the
Authorization header, `access_token` in the query, or the Sec-WebSocket-Protocol header.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from quart import Blueprint, Response, request, websocket
from tortoise.expressions import Q

from fedihub import events, models
from fedihub.accounts import oauth
from fedihub.api import filters, stream_events, stream_guard
from fedihub.api.auth import INVALID_TOKEN, OUT_OF_SCOPE, ignores_token, scope_per_stream
from fedihub.api.common import id_or_none
from fedihub.errors import BadRequest, Forbidden, Unauthorized
from fedihub.moderation import filters as moderation_filters
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_streaming", __name__)
P = "/api/v1/streaming"
HEARTBEAT_S = 15.0
FILTERS_FRESH_S = 30.0
_USER_STREAMS = ("user", "user:notification", "direct")
_PUBLIC_STREAMS = ("public", "public:local", "public:remote")
# what each stream asks of a token, as Mastodon's streaming server does (any one scope grants; none:
# open to anyone, with or without a token). The user stream carries notifications only to tokens
# that may read them. tests/api/test_scopes.py walks this table.
STREAM_SCOPES: dict[str, tuple[str, ...]] = {
    "user": ("read:statuses",),
    "user:notification": ("read:notifications",),
    "direct": ("read:statuses",),
    "list": ("read:statuses", "read:lists"),  # read:lists reads the same timeline over REST
    **{name: () for name in (*_PUBLIC_STREAMS, "hashtag", "hashtag:local")},
}

# every stream a client may ask for (channels_of maps each to bus channels)
STREAMS = (*_USER_STREAMS, "list", *_PUBLIC_STREAMS, "hashtag", "hashtag:local")
_HIDERS = "_hiders"  # the key under which a shared event keeps its block and mute lookup


def _subscribe(rt: Runtime, channels: Any) -> events.Subscription:
    if rt.bus is None:  # the web role always opens one (node.running)
        raise RuntimeError("no event bus runs in this process")
    return rt.bus.subscribe(channels)


class Viewer:
    def __init__(self, user: models.User | None, token: models.OAuthToken | None) -> None:
        self.user = user
        self.token = token
        self._filters: dict[str, tuple[float, list[moderation_filters.Compiled]]] = {}

    async def filters_of(self, context: str) -> list[moderation_filters.Compiled]:
        """The viewer's filters of `context`, read again every FILTERS_FRESH_S: not once per
        event, and a filter made or changed meanwhile applies within that time."""
        actor = self.actor
        if actor is None:
            return []
        kept = self._filters.get(context)
        now = time.monotonic()
        if kept is None or now - kept[0] > FILTERS_FRESH_S:
            kept = (now, await moderation_filters.for_viewer(actor.id, context))
            self._filters[context] = kept
        return kept[1]

    @property
    def actor(self) -> models.Actor | None:
        return self.user.actor if self.user else None


async def authenticate(value: str | None) -> Viewer:
    if not value:
        return Viewer(None, None)
    token = await oauth.token_by_value(value)
    if token is None:
        raise Unauthorized(INVALID_TOKEN)
    return Viewer(await oauth.user_for_token(token), token)


def _signed_in(viewer: Viewer, *needed: str) -> models.User:
    if viewer.token is None or viewer.user is None:
        raise Unauthorized("Missing access token")
    if not oauth.allows(viewer.token.scopes, *needed):
        raise Forbidden(OUT_OF_SCOPE)
    return viewer.user


async def _list_channel(viewer: Viewer, list_id: str | None) -> dict[str, list[str]]:
    user = _signed_in(viewer, *STREAM_SCOPES["list"])
    text = (list_id or "").strip()
    if not text:
        raise BadRequest("Missing list name parameter")
    found = id_or_none(text)
    if found is None or not await models.List.exists(id=found, owner_id=user.actor_id):
        raise Unauthorized("Not authorized to stream this list")
    return {f"list:{found}": ["list", text]}


async def channels_of(
    viewer: Viewer, stream: str, tag: str | None, list_id: str | None = None
) -> dict[str, list[str]]:
    """Bus channels of a Mastodon stream name, each with the `stream` array clients are sent."""
    if stream in _USER_STREAMS:
        user = _signed_in(viewer, *STREAM_SCOPES[stream])
        return {f"{stream}:{user.actor_id}": [stream]}
    if stream == "list":
        return await _list_channel(viewer, list_id)
    if stream in _PUBLIC_STREAMS:
        return {stream: [stream]}
    if stream in ("hashtag", "hashtag:local"):
        name = (tag or "").strip().lstrip("#").lower()
        if not name:
            raise BadRequest("No tag for stream provided")
        return {f"{stream}:{name}": [stream, tag or name]}
    raise BadRequest("Unknown stream type")


def _may_read_notifications(viewer: Viewer) -> bool:
    return viewer.token is not None and oauth.allows(viewer.token.scopes, "read:notifications")


async def _hiders(author_id: int) -> set[int]:
    """Actors who blocked or muted the author, or whom the author blocked: a handful of rows, read
    by the author's id (as stream_events does for home streams)."""
    blocks = await models.Block.filter(Q(actor_id=author_id) | Q(target_id=author_id)).values_list(
        "actor_id", "target_id"
    )
    found = {int(target if actor == author_id else actor) for actor, target in blocks}
    found.update(
        await models.column(
            models.Mute.filter(target_id=author_id).values_list("actor_id", flat=True)
        )
    )
    return found


async def _hidden(viewer: models.Actor, author_id: int, event: events.Event) -> bool:
    if author_id == viewer.id:
        return False
    # every subscriber of a shared channel in this process gets the same event object: the first
    # to look stores the lookup on it, so 1,000 signed-in clients of public:local cost two queries
    # an event, not 2,000 (a block made meanwhile still applies from the next event)
    lookup: asyncio.Future[set[int]] | None = event.get(_HIDERS)
    if lookup is None:
        lookup = event[_HIDERS] = asyncio.ensure_future(_hiders(author_id))
    return viewer.id in await asyncio.shield(lookup)  # one client leaving cancels no lookup


async def prepare(
    rt: Runtime, viewer: Viewer, wires: dict[str, list[str]], event: events.Event
) -> tuple[list[str], str, str] | None:
    """(stream array, event name, payload) to send for a bus event, None to skip it."""
    channel = str(event.get("channel"))
    wire = wires.get(channel)
    if wire is None:
        return None
    actor = viewer.actor
    # a user's, direct or list channel was chosen for its one reader at publish time
    shared = not channel.startswith(("user:", "direct:", "list:"))
    author = event.get("actor_id")
    if shared and actor is not None and author and await _hidden(actor, int(author), event):
        return None
    name = str(event.get("event"))
    if name == "notification" and not _may_read_notifications(viewer):
        return None
    payload = await stream_events.payload_of(rt, event)
    if payload is None:
        return None
    context = _filter_context(channel, name)
    if context is not None and actor is not None:
        compiled = await viewer.filters_of(context)
        if compiled:
            filtered = _filtered(compiled, name, payload)
            if filtered is None:
                return None
            payload = filtered
    return wire, name, payload


def _filter_context(channel: str, name: str) -> str | None:
    """The filter context of an event on a channel, as Mastodon's streaming server maps them."""
    if name == "notification":
        return "notifications"
    if name not in ("update", "status.update"):
        return None
    if channel.startswith(("user:", "list:")):
        return "home"
    if channel.startswith(("public", "hashtag")):
        return "public"
    return None


def _filtered(compiled: list[moderation_filters.Compiled], name: str, payload: str) -> str | None:
    """The payload with `filtered` filled for this viewer, None when a `hide` filter matches."""
    body = json.loads(payload)
    if name == "notification":
        if not body.get("status"):
            return payload
        kept = filters.apply_compiled(compiled, [body["status"]])
        if not kept:
            return None
        body["status"] = kept[0]
    elif not filters.apply_compiled(compiled, [body]):
        return None
    return json.dumps(body)


@functools.lru_cache(maxsize=256)
def _message(wire: tuple[str, ...], name: str, payload: str) -> str:
    # every client of a stream is sent the same text for an event: encoded once, not per client
    return json.dumps({"stream": list(wire), "event": name, "payload": payload})


# ---- server-sent events ----------------------------------------------------------------------


@blueprint.get(f"{P}/health")
@ignores_token
async def health() -> Response:
    return Response("OK", mimetype="text/plain")


async def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.args.get("access_token") or None


async def _sse(stream: str) -> Response:
    rt = runtime()
    viewer = await authenticate(await _bearer())
    wires = await channels_of(viewer, stream, request.args.get("tag"), request.args.get("list"))
    guard = stream_guard.Guard(viewer.token)
    subscription = _subscribe(rt, [*wires, *guard.channels])

    async def body() -> AsyncIterator[bytes]:
        try:
            yield b":)\n\n"
            while True:
                event = await subscription.next_event(guard.wait(HEARTBEAT_S))
                if await guard.ended(event):
                    return  # the token was revoked or the account disabled: end the response
                if event is None:
                    yield b":thump\n\n"
                    continue
                prepared = await prepare(rt, viewer, wires, event)
                if prepared is not None:
                    _, name, payload = prepared
                    yield f"event: {name}\ndata: {payload}\n\n".encode()
        finally:
            subscription.close()

    response = Response(body(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # proxies must pass events on at once
    response.timeout = None  # a stream lasts as long as its client stays
    return response


@blueprint.get(P)
@scope_per_stream
async def sse_by_parameter() -> Response:
    return await _sse(request.args.get("stream") or "user")


@blueprint.get(f"{P}/<path:name>")
@scope_per_stream
async def sse_by_path(name: str) -> Response:
    return await _sse(name.strip("/").replace("/", ":"))


# ---- WebSocket -------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    # clients send a list id as a string or a number
    return None if value is None else str(value)


def _ws_token() -> tuple[str | None, str | None]:
    """(token, the subprotocol to echo): header, query, or Sec-WebSocket-Protocol."""
    header = websocket.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return header[7:].strip(), None
    if websocket.args.get("access_token"):
        return websocket.args["access_token"], None
    protocol = websocket.headers.get("Sec-WebSocket-Protocol", "").split(",")[0].strip()
    return (protocol or None), (protocol or None)


@blueprint.websocket(P)
@scope_per_stream
async def ws() -> Response | None:
    rt = runtime()
    value, subprotocol = _ws_token()
    try:
        viewer = await authenticate(value)
    except Unauthorized as exc:
        return Response(json.dumps({"error": exc.public}), status=401, mimetype="application/json")
    await websocket.accept(subprotocol=subprotocol)
    guard = stream_guard.Guard(viewer.token)
    subscription = _subscribe(rt, guard.channels)
    wires: dict[str, list[str]] = {}

    async def send_error(exc: Unauthorized | Forbidden | BadRequest) -> None:
        await websocket.send(json.dumps({"error": exc.public, "status": exc.status}))

    async def change(kind: str, stream: str | None, tag: str | None, list_id: str | None) -> None:
        try:
            found = await channels_of(viewer, stream or "", tag, list_id)
        except (Unauthorized, Forbidden, BadRequest) as exc:
            await send_error(exc)
            return
        if kind == "subscribe":
            wires.update(found)
            subscription.add(found)
        else:
            subscription.remove(found)
            for channel in found:
                wires.pop(channel, None)

    async def forward() -> None:
        """Send events until access ends."""
        while True:
            event = await subscription.next_event(guard.wait(HEARTBEAT_S))
            if await guard.ended(event):
                return
            prepared = await prepare(rt, viewer, wires, event) if event is not None else None
            if prepared is not None:
                wire, name, payload = prepared
                await websocket.send(_message(tuple(wire), name, payload))

    async def read() -> None:
        """Act on the client's messages until it leaves."""
        if websocket.args.get("stream"):
            args = websocket.args
            await change("subscribe", args["stream"], args.get("tag"), args.get("list"))
        while True:
            text = await websocket.receive()
            try:
                message = json.loads(text)
            except (TypeError, ValueError):
                await send_error(BadRequest("Invalid JSON"))
                continue
            if isinstance(message, dict) and message.get("type") in ("subscribe", "unsubscribe"):
                kind, stream = str(message["type"]), message.get("stream")
                await change(kind, stream, message.get("tag"), _text(message.get("list")))

    writer, reader = asyncio.create_task(forward()), asyncio.create_task(read())
    try:
        done, _ = await asyncio.wait((writer, reader), return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # a failure in either surfaces here
        # the writer returns only when the token was revoked or the account disabled
        await websocket.close(1008, "access ended")
    finally:
        for task in (writer, reader):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        subscription.close()
    return None
