"""The inboxes: POST /inbox (shared) and POST /users/<name>/inbox. Verify, persist, 202."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify, request

from fedihub import metrics, models
from fedihub.errors import FedihubError, NotFound
from fedihub.inbox import receive
from fedihub.web.common import request_target, runtime

blueprint = Blueprint("inbox", __name__)


async def _accept(owner: models.Actor | None) -> tuple[Response, int]:
    rt = runtime()
    length = request.content_length
    if length is not None and length > rt.settings.max_inbox_body:
        return jsonify({"error": "activity too large"}), 413
    body = await request.get_data(cache=False)
    try:
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
    return await _accept(None)


@blueprint.post("/users/<username>/inbox")
async def personal_inbox(username: str) -> tuple[Response, int]:
    owner = await models.Actor.get_or_none(
        username__iexact=username, domain=None, user__disabled=False
    )
    if owner is None:
        raise NotFound("no such inbox")
    return await _accept(owner)


@blueprint.post("/actor/inbox")
async def instance_inbox() -> tuple[Response, int]:
    return await _accept(None)
