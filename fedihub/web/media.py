"""/media/<path>: files under the media folder (avatars now), served without leaving that folder.

safe_join refuses `..`, absolute paths and other escapes. Uploaded files are untrusted: they are
never sniffed as another type and never run as a page (sandboxing CSP).
"""

from __future__ import annotations

from quart import Blueprint, Quart, Response, send_from_directory

from fedihub.web.common import runtime

blueprint = Blueprint("media", __name__)

_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "m4a": "audio/mp4",
    "webm": "video/webm",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
}


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


@blueprint.get("/media/<path:path>")
async def media_file(path: str) -> Response:
    extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    response = await send_from_directory(
        runtime().settings.media_dir,
        path,
        mimetype=_TYPES.get(extension, "application/octet-stream"),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
