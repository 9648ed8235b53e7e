"""The signed-in user's sign-in settings: two-factor sign-in (set up with a QR code and a first
code, recovery codes shown once, turned off with the password and a code) and the list of the
browsers signed in, each of which can be signed out at once."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import segno
from quart import Blueprint, Quart, Response, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.accounts import two_factor
from fedihub.errors import Conflict, Invalid, NotFound, RateLimited
from fedihub.web import i18n, page_kit, session
from fedihub.web.auth import page_locale
from fedihub.web.common import runtime

blueprint = Blueprint("sign_in_settings", __name__, url_prefix="/settings")
Redirect = WerkzeugResponse
Page = tuple[str, int]
_NO_STORE = {"Cache-Control": "no-store"}


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


async def _page(
    user: models.User,
    *,
    error: str | None = None,
    status: int = 200,
    recovery_codes: list[str] | None = None,
) -> Page:
    rt = runtime()
    secret = await two_factor.pending_secret(rt, user)
    page = await render_template(
        "settings/two_factor.html",
        enabled=await two_factor.enabled(user.id),
        secret=secret,
        remaining=await two_factor.remaining_recovery_codes(user),
        recovery_codes=recovery_codes,
        error=error,
        changed=request.args.get("off") == "1",
    )
    return page, status


@blueprint.get("/two_factor")
async def two_factor_page() -> Page:
    return await _page(await page_kit.signed_in())


@blueprint.post("/two_factor/begin")
async def two_factor_begin() -> Redirect | Page:
    user = await page_kit.signed_in()
    await session.require_csrf()
    try:
        await two_factor.begin(runtime(), user)
    except Conflict as exc:
        return await _page(user, error=i18n.error_text(exc, await page_locale()), status=409)
    return await page_kit.back("/settings/two_factor")


@blueprint.get("/two_factor/qr.svg")
async def two_factor_qr() -> Response:
    """The otpauth:// URI of the setup in progress as a QR code, drawn here (no third party
    ever sees the secret)."""
    user = await page_kit.signed_in()
    rt = runtime()
    secret = await two_factor.pending_secret(rt, user)
    if secret is None:
        raise NotFound("no two-factor setup in progress")
    out = io.BytesIO()
    segno.make(two_factor.provisioning_uri(rt, user, secret), error="m").save(
        out, kind="svg", scale=5, border=4, light="#fff", dark="#000"
    )
    return Response(out.getvalue(), mimetype="image/svg+xml", headers=_NO_STORE)


@blueprint.post("/two_factor/confirm")
async def two_factor_confirm() -> Page:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    try:
        codes = await two_factor.confirm(runtime(), user, form.get("code", ""))
    except (Invalid, Conflict, RateLimited) as exc:
        return await _page(user, error=i18n.error_text(exc, await page_locale()), status=exc.status)
    return await _page(user, recovery_codes=codes)


@blueprint.post("/two_factor/recovery_codes")
async def two_factor_new_codes() -> Page:
    """Ten new recovery codes in place of the old ones, for a current code."""
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    try:
        codes = await two_factor.replace_recovery_codes(runtime(), user, form.get("code", ""))
    except (Invalid, RateLimited) as exc:
        return await _page(user, error=i18n.error_text(exc, await page_locale()), status=exc.status)
    return await _page(user, recovery_codes=codes)


@blueprint.post("/two_factor/disable")
async def two_factor_disable() -> Redirect | Page:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    try:
        await two_factor.disable(runtime(), user, form.get("password", ""), form.get("code", ""))
    except (Invalid, RateLimited) as exc:
        return await _page(user, error=i18n.error_text(exc, await page_locale()), status=exc.status)
    return await page_kit.back("/settings/two_factor?off=1")


# ---- web sessions -------------------------------------------------------------------------------


@blueprint.get("/sessions")
async def sessions_page() -> str:
    user = await page_kit.signed_in()
    rows = await models.WebSession.filter(user_id=user.id, revoked_at=None).order_by(
        "-last_used_at"
    )
    return await render_template(
        "settings/sessions.html", sessions=rows, current=session.current_key_hash()
    )


@blueprint.post("/sessions/<int:session_id>/revoke")
async def session_revoke(session_id: int) -> Redirect:
    """That browser is signed out on its next request."""
    user = await page_kit.signed_in()
    await session.require_csrf()
    ended = await models.WebSession.filter(id=session_id, user_id=user.id, revoked_at=None).update(
        revoked_at=datetime.now(UTC)
    )
    if not ended:
        raise NotFound("no such session")
    return await page_kit.back("/settings/sessions")
