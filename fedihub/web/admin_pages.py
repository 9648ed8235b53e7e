"""The admin's pages: users (disable, enable, admin rights), registration mode and invitation
codes, the node's run-time settings, federation health per host (with "retry now"), and the job
queue. Every page and form needs a signed-in admin; anyone else gets a 404, as if the pages were
not there."""

from __future__ import annotations

from quart import Blueprint, Quart, redirect, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.accounts import node_settings, revocations, users
from fedihub.errors import Invalid, NotFound
from fedihub.jobs import admin as job_admin
from fedihub.outbox import health
from fedihub.web import page_kit, session
from fedihub.web.common import runtime

blueprint = Blueprint("admin_pages", __name__, url_prefix="/admin")
Redirect = WerkzeugResponse
TEXT_SETTINGS = ("node_name", "node_description", "contact_email")


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


async def _admin() -> models.User:
    user = await page_kit.signed_in()
    if not user.is_admin:
        raise NotFound("Record not found")
    return user


@blueprint.get("")
async def overview() -> str:
    await _admin()
    values = {key: await node_settings.get(key) for key in node_settings.DEFAULTS}
    invites = await models.InviteCode.all().order_by("-id").limit(20)
    return await render_template(
        "admin/overview.html",
        values=values,
        modes=[m.value for m in node_settings.RegistrationMode],
        invites=invites,
        saved=request.args.get("saved") == "1",
    )


@blueprint.post("/settings")
async def save_settings() -> Redirect:
    await _admin()
    await session.require_csrf()
    form = await request.form
    await node_settings.set_value("registration_mode", form.get("registration_mode", ""))
    await node_settings.set_value("authorized_fetch", form.get("authorized_fetch") == "on")
    for key in TEXT_SETTINGS:
        await node_settings.set_value(key, form.get(key, "").strip()[:500])
    return await page_kit.back("/admin?saved=1")


@blueprint.post("/invites")
async def create_invite() -> Redirect:
    user = await _admin()
    await session.require_csrf()
    form = await request.form
    raw = form.get("max_uses", "1").strip()
    if raw and not raw.isdigit():
        raise Invalid("uses must be a number", field="max_uses")
    await users.create_invite(user, int(raw) if raw and int(raw) > 0 else None)
    return await page_kit.back("/admin")


@blueprint.get("/users")
async def user_list() -> str:
    await _admin()
    paged = await page_kit.page(models.User.all().prefetch_related("actor"))
    return await render_template("admin/users.html", users=paged.rows, paged=paged)


@blueprint.post("/users/<int:user_id>/<action>")
async def user_action(user_id: int, action: str) -> Redirect:
    me = await _admin()
    await session.require_csrf()
    target = await models.User.get_or_none(id=user_id)
    if target is None or action not in ("disable", "enable", "grant_admin", "revoke_admin"):
        raise NotFound("Record not found")
    if target.id == me.id:
        raise Invalid("admins cannot change their own account here", field="user")
    if action in ("disable", "enable"):
        await users.set_disabled(target.username_key, action == "disable")
        if action == "disable":
            await revocations.account_disabled(runtime(), target.id)  # its open streams close
    else:
        target.is_admin = action == "grant_admin"
        await target.save(update_fields=["is_admin"])
    return await page_kit.back("/admin/users")


@blueprint.get("/federation")
async def federation() -> str:
    await _admin()
    return await render_template(
        "admin/federation.html",
        hosts=await health.by_host(),
        retried=request.args.get("retried"),
    )


@blueprint.post("/federation/retry")
async def retry() -> Redirect:
    await _admin()
    await session.require_csrf()
    form = await request.form
    domain = form.get("domain", "").strip().lower()
    count = await health.retry_host(domain) if domain else await job_admin.retry_now("deliver")
    return redirect(f"/admin/federation?retried={count}", 303)


@blueprint.get("/jobs")
async def jobs() -> str:
    await _admin()
    failed = await models.Job.filter(last_error__isnull=False).order_by("-id").limit(20)
    return await render_template(
        "admin/jobs.html",
        counts=await job_admin.counts(),
        wait=await job_admin.oldest_due_wait(),
        failed=failed,
    )
