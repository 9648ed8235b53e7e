"""/api/v1/polls: a status's poll, and votes on it. A poll of a status the viewer may not see is
"Record not found", as a poll that does not exist."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub.api.auth import current_actor, optional_user, require_scope, scope_if_token
from fedihub.api.common import digits, invalid, params, parse_id
from fedihub.api.entities.poll import polls_by_status
from fedihub.errors import Invalid
from fedihub.social import poll_rows, polls
from fedihub.web.common import runtime

blueprint = Blueprint("api_polls", __name__)
P = "/api/v1/polls"


async def _answer(poll_id: int) -> Response:
    user = await optional_user()
    viewer = user.actor if user else None
    _poll, status = await polls.visible_poll(viewer, poll_id)
    return jsonify((await polls_by_status([status], viewer))[status.id])


@blueprint.get(f"{P}/<raw_id>")
@scope_if_token("read:statuses")
async def show(raw_id: str) -> Response:
    user = await optional_user()
    poll, status = await polls.visible_poll(user.actor if user else None, parse_id(raw_id))
    if user is not None and not status.local and not poll_rows.expired(poll):
        await polls.refresh_soon(runtime(), poll)  # as Mastodon: fresh counts for who looks
    return await _answer(poll.id)


@blueprint.post(f"{P}/<raw_id>/votes")
@require_scope("write:statuses")
async def vote(raw_id: str) -> Response:
    poll_id = parse_id(raw_id)
    choices = []
    for raw in (await params()).list("choices"):
        choice = digits(raw)
        if choice is None:
            raise invalid(polls.INVALID_CHOICE, "choices")
        choices.append(choice)
    try:
        await polls.vote(runtime(), current_actor(), poll_id, choices)
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    return await _answer(poll_id)
