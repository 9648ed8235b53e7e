"""/api/v1/media and /api/v2/media: upload, show and describe media before posting them.

Processing is synchronous here (the size is read from the header, nothing is transcoded), so v2
answers 200 with `url` set, as Mastodon does for images it processed at once.
"""

from __future__ import annotations

import asyncio

from quart import Blueprint, Response, jsonify

from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import invalid, params, parse_id
from fedihub.api.entities.status import media_attachment
from fedihub.errors import Invalid
from fedihub.media import uploads
from fedihub.web.common import runtime

blueprint = Blueprint("api_media", __name__)


async def _create() -> Response:
    p = await params()
    file = p.files.get("file")
    if file is None:
        raise invalid("File can't be blank", "file")
    limit = runtime().settings.max_media_bytes
    data = await asyncio.to_thread(file.read, limit + 1)  # one byte more tells "too large"
    try:
        item = await uploads.upload(
            runtime(), current_actor(), data, description=p.str("description"), focus=p.str("focus")
        )
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    return jsonify(media_attachment(runtime(), item))


@blueprint.post("/api/v1/media")
@require_scope("write:media")
async def create_v1() -> Response:
    return await _create()


@blueprint.post("/api/v2/media")
@require_scope("write:media")
async def create_v2() -> Response:
    return await _create()


@blueprint.get("/api/v1/media/<raw_id>")
@require_scope("write:media")
async def show(raw_id: str) -> Response:
    item = await uploads.own_unattached(current_actor(), parse_id(raw_id))
    return jsonify(media_attachment(runtime(), item))


@blueprint.put("/api/v1/media/<raw_id>")
@require_scope("write:media")
async def update(raw_id: str) -> Response:
    p = await params()
    try:
        item = await uploads.update(
            current_actor(),
            parse_id(raw_id),
            description=p.str("description"),
            focus=p.str("focus"),
        )
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    return jsonify(media_attachment(runtime(), item))


@blueprint.delete("/api/v1/media/<raw_id>")
@require_scope("write:media")
async def destroy(raw_id: str) -> Response:
    """Mastodon 4.4: an upload never attached can be deleted (attached ones answer 404)."""
    await uploads.remove(runtime(), current_actor(), parse_id(raw_id))
    return jsonify({})
