"""More of the signed-in user's settings: the account (language, locked, discoverable), blocks
and mutes, the apps given access (revoke), and the export of what the account keeps (CSV files
as Mastodon writes them, so another server can import them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from quart import Blueprint, Quart, Response, redirect, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.accounts import profiles, revocations, users
from fedihub.errors import Conflict, Invalid, NotFound
from fedihub.moderation import audit
from fedihub.rights import exports
from fedihub.social import blocks
from fedihub.web import i18n, page_kit, session
from fedihub.web.auth import page_locale
from fedihub.web.common import runtime

blueprint = Blueprint("account_settings", __name__, url_prefix="/settings")
Redirect = WerkzeugResponse


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


async def _account_page(
    user: models.User, email_error: str | None = None, status: int = 200
) -> tuple[str, int]:
    page = await render_template(
        "settings/account.html",
        locales=i18n.LOCALES,
        saved=request.args.get("saved") == "1" and email_error is None,
        email_error=email_error,
        actor=user.actor,
        user=user,
    )
    return page, status


@blueprint.get("/account")
async def account() -> tuple[str, int]:
    user = await page_kit.signed_in()
    return await _account_page(user)


@blueprint.post("/email")
async def email_change() -> Redirect | tuple[str, int]:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    try:
        await users.change_email(user, form.get("current_password", ""), form.get("email", ""))
    except (Invalid, Conflict) as exc:
        return await _account_page(user, i18n.error_text(exc, await page_locale()), exc.status)
    return redirect("/settings/account?saved=1", 303)


@blueprint.post("/account")
async def account_save() -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    actor = await profiles.update_account(
        user,
        locale=form.get("locale", user.locale),
        locked=form.get("locked") == "on",
        discoverable=form.get("discoverable") == "on",
        indexable=form.get("indexable") == "on",
    )
    await profiles.publish_update(runtime(), actor)
    return await page_kit.back("/settings/account?saved=1")


async def _actors(ids: Iterable[int]) -> list[models.Actor]:
    wanted = list(ids)
    return list(await models.Actor.filter(id__in=wanted).order_by("username")) if wanted else []


@blueprint.get("/blocks")
async def blocks_page() -> str:
    user = await page_kit.signed_in()
    me = user.actor.id
    blocked = await models.column(
        models.Block.filter(actor_id=me).values_list("target_id", flat=True)
    )
    muted = await models.column(models.Mute.filter(actor_id=me).values_list("target_id", flat=True))
    return await render_template(
        "settings/blocks.html",
        blocked=page_kit.accounts(await _actors(int(i) for i in blocked)),
        muted=page_kit.accounts(await _actors(int(i) for i in muted)),
    )


@blueprint.post("/blocks/<int:actor_id>/<action>")
async def blocks_change(actor_id: int, action: str) -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    target = await models.Actor.get_or_none(id=actor_id)
    if target is None or action not in ("unblock", "unmute"):
        raise NotFound("Record not found")
    if action == "unblock":
        await blocks.unblock(runtime(), user.actor, target)
    else:
        await blocks.unmute(user.actor, target.id)
    return await page_kit.back("/settings/blocks")


@dataclass
class AppAccess:
    app: models.OAuthApp
    scopes: set[str] = field(default_factory=set)
    last_used_at: datetime | None = None


@blueprint.get("/apps")
async def apps() -> str:
    user = await page_kit.signed_in()
    tokens = await models.OAuthToken.filter(user_id=user.id, revoked_at=None).prefetch_related(
        "app"
    )
    by_app: dict[int, AppAccess] = {}
    for token in tokens:
        entry = by_app.setdefault(token.app.id, AppAccess(token.app))
        entry.scopes.update(token.scopes.split())
        used = token.last_used_at
        if used is not None and (entry.last_used_at is None or used > entry.last_used_at):
            entry.last_used_at = used
    shown = sorted(by_app.values(), key=lambda e: e.app.name.lower())
    return await render_template("settings/apps.html", apps=shown)


@blueprint.post("/apps/<int:app_id>/revoke")
async def app_revoke(app_id: int) -> Redirect:
    """Every token this app holds for the user ends, and its open streams close."""
    user = await page_kit.signed_in()
    await session.require_csrf()
    live = models.OAuthToken.filter(user_id=user.id, app_id=app_id, revoked_at=None)
    ids = [int(i) for i in await models.column(live.values_list("id", flat=True))]
    if ids:
        await models.OAuthToken.filter(id__in=ids).update(revoked_at=datetime.now(UTC))
        await revocations.tokens_revoked(runtime(), ids)
    return await page_kit.back("/settings/apps")


@blueprint.get("/export")
async def export() -> str:
    user = await page_kit.signed_in()
    archives = await models.AccountArchive.filter(user_id=user.id).order_by("-id").limit(5)
    return await render_template("settings/export.html", exports=exports.NAMES, archives=archives)


@blueprint.get("/export/<name>.csv")
async def export_file(name: str) -> Response:
    user = await page_kit.signed_in()
    if name not in exports.NAMES:
        raise NotFound("no such export")
    body = await exports.write(runtime(), user, name)
    await audit.record(
        user, "export", "account", user.username_key, ip=request.remote_addr, detail=f"{name}.csv"
    )
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "Cache-Control": "no-store",
        },
    )
