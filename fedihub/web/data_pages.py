"""The signed-in user's data: import of Mastodon's CSV files (stored here, applied by a
background job whose progress the page shows) and the account archive (made in the background,
downloaded when ready)."""

from __future__ import annotations

from quart import Blueprint, Quart, Response, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.errors import Conflict, Invalid, NotFound
from fedihub.moderation import audit
from fedihub.rights import archive, imports
from fedihub.web import i18n, page_kit, session
from fedihub.web.auth import page_locale
from fedihub.web.common import runtime

blueprint = Blueprint("data_pages", __name__, url_prefix="/settings")
Redirect = WerkzeugResponse
Page = tuple[str, int]


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


async def _import_page(user: models.User, error: str | None = None, status: int = 200) -> Page:
    recent = await models.DataImport.filter(user_id=user.id).order_by("-id").limit(10)
    page = await render_template(
        "settings/import.html",
        imports=recent,
        kinds=list(imports.KINDS),
        error=error,
        max_lines=imports.MAX_LINES,
    )
    return page, status


@blueprint.get("/import")
async def import_page() -> Page:
    return await _import_page(await page_kit.signed_in())


@blueprint.post("/import")
async def import_upload() -> Page | Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    files = await request.files
    upload = files.get("data")
    data = upload.read() if upload is not None and upload.filename else b""
    try:
        await imports.create(runtime(), user, form.get("type", ""), form.get("mode", "merge"), data)
    except (Invalid, Conflict) as exc:
        return await _import_page(user, i18n.error_text(exc, await page_locale()), exc.status)
    return await page_kit.back("/settings/import")


@blueprint.post("/export/archive")
async def archive_request() -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    await archive.request(runtime(), user)
    await audit.record(
        user, "export", "account", user.username_key, ip=request.remote_addr, detail="archive"
    )
    return await page_kit.back("/settings/export")


@blueprint.get("/export/archive/<int:archive_id>.zip")
async def archive_download(archive_id: int) -> Response:
    user = await page_kit.signed_in()
    row = await models.AccountArchive.get_or_none(id=archive_id, user_id=user.id)
    if row is None or row.storage_key is None:
        raise NotFound("no such archive")
    body = await archive.read(runtime(), row)
    return Response(
        body,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="archive-{row.id}.zip"',
            "Cache-Control": "no-store",
        },
    )
