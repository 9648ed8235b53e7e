"""/api/v1/media and /api/v2/media: upload, show and describe media before posting them.

As on Mastodon: v1 processes an upload before it answers; v2 answers 202 with `url: null` when a
large image is left to a job (media/processing.py), and GET /api/v1/media/:id answers 206 until
the job is done, then 200, or 422 when the image could not be processed.
"""

from __future__ import annotations

import asyncio

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import invalid, params, parse_id
from fedihub.api.entities.status import media_attachment
from fedihub.errors import Invalid
from fedihub.media import uploads
from fedihub.web.common import runtime

blueprint = Blueprint("api_media", __name__)


PROCESSING_ERROR = "Error processing thumbnail for uploaded media"  # Mastodon's words


async def _create(*, defer_large: bool) -> Response:
    p = await params()
    file = p.files.get("file")
    if file is None:
        raise invalid("File can't be blank", "file")
    limit = runtime().settings.max_media_bytes
    data = await asyncio.to_thread(file.read, limit + 1)  # one byte more tells "too large"
    try:
        item = await uploads.upload(
            runtime(),
            current_actor(),
            data,
            description=p.str("description"),
            focus=p.str("focus"),
            defer_large=defer_large,
            declared_type=file.mimetype or None,
            filename=file.filename or None,
        )
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    response = jsonify(media_attachment(runtime(), item))
    response.status_code = 202 if item.processing == models.MediaProcessing.QUEUED else 200
    return response


@blueprint.post("/api/v1/media")
@require_scope("write:media")
async def create_v1() -> Response:
    return await _create(defer_large=False)


@blueprint.post("/api/v2/media")
@require_scope("write:media")
async def create_v2() -> Response:
    return await _create(defer_large=True)


@blueprint.get("/api/v1/media/<raw_id>")
@require_scope("write:media")
async def show(raw_id: str) -> Response:
    item = await uploads.own_unattached(current_actor(), parse_id(raw_id))
    if item.processing == models.MediaProcessing.FAILED:
        raise Invalid(PROCESSING_ERROR, field="file")
    return _shown(item)


def _shown(item: models.MediaAttachment) -> Response:
    """The entity; 206 while the file is processed (Mastodon's show and update alike)."""
    response = jsonify(media_attachment(runtime(), item))
    response.status_code = 206 if item.processing == models.MediaProcessing.QUEUED else 200
    return response


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
    return _shown(item)


@blueprint.delete("/api/v1/media/<raw_id>")
@require_scope("write:media")
async def destroy(raw_id: str) -> Response:
    """Mastodon 4.4: an upload never attached can be deleted (attached ones answer 404)."""
    await uploads.remove(runtime(), current_actor(), parse_id(raw_id))
    return jsonify({})
