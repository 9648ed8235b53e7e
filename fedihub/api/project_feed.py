"""/api/fedihub/v1/projects/:id/statuses: the project feed. GET lists the posts made in the
project (FEP-1b12 `audience`), newest first, as Mastodon statuses, each only if the viewer may
see it; POST takes Mastodon's status parameters and posts as a member (fedihub/projects/feed.py).
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify, request

from fedihub import models
from fedihub.api.auth import (
    current_actor,
    current_user,
    optional_user,
    require_scope,
    scope_if_token,
)
from fedihub.api.common import params, parse_id
from fedihub.api.entities.status import status as status_entity
from fedihub.api.projects import visible
from fedihub.api.timelines import statuses_page
from fedihub.projects import feed
from fedihub.social import statuses
from fedihub.web.common import runtime

blueprint = Blueprint("api_project_feed", __name__)
P = "/api/fedihub/v1/projects/<raw_id>/statuses"


@blueprint.get(P)
@scope_if_token("read", "read:statuses")
async def index(raw_id: str) -> Response:
    user = await optional_user()
    viewer = user.actor if user is not None else None
    project = await visible(raw_id, viewer)
    query = models.Status.filter(
        audience_uri=project.actor.uri, deleted_at__isnull=True, reblog_of_id__isnull=True
    )
    return await statuses_page(query, viewer)


@blueprint.post(P)
@require_scope("write", "write:statuses")
async def create(raw_id: str) -> Response:
    actor = current_actor()
    project = await visible(raw_id, actor)
    p = await params()
    reply_to = p.str("in_reply_to_id")
    draft = statuses.Draft(
        text_source=p.str("status", "") or "",
        spoiler_text=p.str("spoiler_text", "") or "",
        sensitive=bool(p.bool("sensitive", False)),
        language=p.str("language"),
        in_reply_to_id=parse_id(reply_to) if reply_to else None,
        media_ids=tuple(parse_id(v) for v in p.list("media_ids")),
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    made = await feed.post(runtime(), current_user(), project, draft)
    return jsonify(await status_entity(runtime(), made, actor))
