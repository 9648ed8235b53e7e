"""/media/<path>: files under the media folder, served without leaving that folder.

safe_join refuses `..`, absolute paths and other escapes. Uploaded files are untrusted: they are
never sniffed as another type and never run as a page (sandboxing CSP).

Files under `restricted/` (those of posts not everyone may see: media/placement.py) are served
only to who may see their post (social/media_access.py): the account signed in on the web, the
one behind an API token (`Authorization: Bearer`), a peer by a signed fetch, or whoever holds a
capability URL (media/capability.py: expiry and signature for that very file, given only to those
who may see the post, for apps that load images without credentials). Everyone else gets a 404,
the same as for a file that does not exist, and no shared cache keeps them.
"""

from __future__ import annotations

from quart import Blueprint, Quart, Response, request, send_from_directory

from fedihub import models
from fedihub.accounts import oauth
from fedihub.media import capability, storage
from fedihub.social import media_access
from fedihub.web import session
from fedihub.web.common import runtime
from fedihub.web.federation import requesting_actor

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


def _type_of(path: str) -> str:
    extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return _TYPES.get(extension, "application/octet-stream")


def _untrusted(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@blueprint.get("/media/<path:path>")
async def media_file(path: str) -> Response:
    if storage.is_restricted(path):
        return await _restricted(path)
    response = await send_from_directory(
        runtime().settings.media_dir, path, mimetype=_type_of(path)
    )
    response.headers["Cache-Control"] = "public, max-age=86400"
    return _untrusted(response)


async def _viewer() -> models.Actor | None:
    """Who asks: an API token's account, the web session's, or a verified remote signer."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token = await oauth.token_by_value(header[7:].strip())
        user = await oauth.user_for_token(token) if token is not None else None
        return await models.Actor.get(id=user.actor_id) if user is not None else None
    user = await session.current_user()
    if user is not None:
        return user.actor
    return await requesting_actor()


async def _restricted(path: str) -> Response:
    key = storage.check_key(path) if _safe(path) else ""
    grant = capability.verify(
        runtime(), key, request.args.get(capability.EXPIRES), request.args.get(capability.SIGNATURE)
    )
    if grant is not None:
        item = await media_access.granted(key)
    else:  # no signature, or one that does not hold: who asks decides, as without one
        item = await media_access.downloadable(key, await _viewer())
    data = await runtime().storage.get(key)
    content_type = item.content_type if key == item.storage_key else _type_of(path)
    response = Response(data, content_type=content_type)
    if grant is not None:
        # the same answer for every holder of this URL until it expires: the app's own cache may
        # keep it that long, a shared one never
        response.headers["Cache-Control"] = f"private, max-age={grant.remaining()}"
    else:
        # never kept by a shared cache, and never answered from one for another reader
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Vary"] = "Authorization, Cookie, Signature"
    return _untrusted(response)


def _safe(path: str) -> bool:
    try:
        storage.check_key(path)
    except ValueError:
        return False
    return True
