"""The inboxes: POST /inbox (shared) and POST /users/<name>/inbox. Verify, persist, 202.

The body is read as it arrives and never past FEDIHUB_MAX_INBOX_BODY: a larger one, announced by
Content-Length or sent in chunks, is answered 413 as soon as it passes the limit, without waiting
for the rest (the app-wide request bound is the media limit, 16 times larger).
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify, request

from fedihub import metrics, models
from fedihub.errors import FedihubError, NotFound, PayloadTooLarge
from fedihub.inbox import receive
from fedihub.web.common import request_target, runtime

blueprint = Blueprint("inbox", __name__)


async def _body(limit: int) -> bytes:
    """The request body; PayloadTooLarge as soon as it is known to pass `limit` bytes."""
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge("activity too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.body:
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge("activity too large")
        chunks.append(chunk)
    return b"".join(chunks)


async def accept(owner: models.Actor | None) -> tuple[Response, int]:
    rt = runtime()
    try:
        body = await _body(rt.settings.max_inbox_body)
        receipt = await receive.receive(
            rt,
            method=request.method,
            path=request_target(),
            headers=dict(request.headers),
            body=body,
            inbox_owner=owner,
        )
    except FedihubError as exc:
        metrics.inc("fedihub_inbox_total", outcome="rejected", reason=type(exc).__name__)
        raise
    metrics.inc(
        "fedihub_inbox_total",
        outcome="accepted" if receipt.accepted else "dropped",
        reason=receipt.reason,
    )
    return jsonify({"status": receipt.reason}), 202


@blueprint.post("/inbox")
async def shared_inbox() -> tuple[Response, int]:
    return await accept(None)


@blueprint.post("/users/<username>/inbox")
async def personal_inbox(username: str) -> tuple[Response, int]:
    owner = await models.Actor.get_or_none(
        username__iexact=username, domain=None, user__disabled=False
    )
    if owner is None:
        raise NotFound("no such inbox")
    return await accept(owner)


@blueprint.post("/actor/inbox")
async def instance_inbox() -> tuple[Response, int]:
    return await accept(None)
