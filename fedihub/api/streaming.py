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
from collections.abc import AsyncIterator
from typing import Any

from quart import Blueprint, Response, request, websocket
from tortoise.expressions import Q

from fedihub import events, models
from fedihub.accounts import oauth
from fedihub.api import stream_events
from fedihub.api.auth import INVALID_TOKEN, OUT_OF_SCOPE
from fedihub.errors import BadRequest, Forbidden, Unauthorized
from fedihub.runtime import Runtime
from fedihub.web.common import RUNTIME_KEY, runtime

blueprint = Blueprint("api_streaming", __name__)
P = "/api/v1/streaming"
HEARTBEAT_S = 15.0
_USER_STREAMS = {"user": "user", "user:notification": "user:notification", "direct": "direct"}
_PUBLIC_STREAMS = ("public", "public:local", "public:remote")
# every stream a client may ask for (channels_of maps each to bus channels)
STREAMS = (*_USER_STREAMS, "list", *_PUBLIC_STREAMS, "hashtag", "hashtag:local")
_HIDERS = "_hiders"  # the key under which a shared event keeps its block and mute lookup


@blueprint.record_once
def _install(state: Any) -> None:
    # every app runs the bus and publishes its statuses' events (`fedihub worker` calls install too)
    stream_events.install(state.app.extensions[RUNTIME_KEY])


class Viewer:
    def __init__(self, user: models.User | None, token: models.OAuthToken | None) -> None:
        self.user = user
        self.token = token

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
    # Mastodon's streaming server asks for read:statuses; read:lists reads the same timeline
    user = _signed_in(viewer, "read:statuses", "read:lists")
    text = (list_id or "").strip()
    if not text:
        raise BadRequest("Missing list name parameter")
    owned = text.isdigit() and len(text) <= 18
    if not owned or not await models.List.exists(id=int(text), owner_id=user.actor_id):
        raise Unauthorized("Not authorized to stream this list")
    return {f"list:{int(text)}": ["list", text]}


async def channels_of(
    viewer: Viewer, stream: str, tag: str | None, list_id: str | None = None
) -> dict[str, list[str]]:
    """Bus channels of a Mastodon stream name, each with the `stream` array clients are sent."""
    if stream in _USER_STREAMS:
        needed: tuple[str, ...] = ("read:statuses", "read:notifications")
        if stream == "user:notification":
            needed = ("read:notifications",)
        user = _signed_in(viewer, *needed)
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


async def _hiders(author_id: int) -> set[int]:
    """Actors who blocked or muted the author, or whom the author blocked: a handful of rows, read
    by the author's id (as stream_events does for home streams)."""
    blocks = await models.Block.filter(Q(actor_id=author_id) | Q(target_id=author_id)).values_list(
        "actor_id", "target_id"
    )
    found = {int(target if actor == author_id else actor) for actor, target in blocks}
    found.update(await models.Mute.filter(target_id=author_id).values_list("actor_id", flat=True))
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
    payload = await stream_events.payload_of(rt, event)
    if payload is None:
        return None
    return wire, str(event.get("event")), payload


@functools.lru_cache(maxsize=256)
def _message(wire: tuple[str, ...], name: str, payload: str) -> str:
    # every client of a stream is sent the same text for an event: encoded once, not per client
    return json.dumps({"stream": list(wire), "event": name, "payload": payload})


# ---- server-sent events ----------------------------------------------------------------------


@blueprint.get(f"{P}/health")
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
    subscription = events.subscribe(rt, wires)

    async def body() -> AsyncIterator[bytes]:
        try:
            yield b":)\n\n"
            while True:
                event = await subscription.next_event(HEARTBEAT_S)
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
async def sse_by_parameter() -> Response:
    return await _sse(request.args.get("stream") or "user")


@blueprint.get(f"{P}/<path:name>")
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
async def ws() -> Response | None:
    rt = runtime()
    value, subprotocol = _ws_token()
    try:
        viewer = await authenticate(value)
    except Unauthorized as exc:
        return Response(json.dumps({"error": exc.public}), status=401, mimetype="application/json")
    await websocket.accept(subprotocol=subprotocol)
    subscription = events.subscribe(rt, [])
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
        async for event in subscription:
            prepared = await prepare(rt, viewer, wires, event)
            if prepared is not None:
                wire, name, payload = prepared
                await websocket.send(_message(tuple(wire), name, payload))

    writer = asyncio.create_task(forward())
    try:
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
    finally:
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
        subscription.close()
