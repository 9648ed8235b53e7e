"""The signed-in user's page for moving or leaving (/settings/migration), as Mastodon's "Account
migration", "Account aliases" and "Delete account" settings: the accounts she may move here from
(her aliases), her move to a new account (social/moves.py does the work), and the deletion of
her account (moderation/deletion.py)."""

from __future__ import annotations

from quart import Blueprint, Quart, redirect, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.errors import FedihubError
from fedihub.moderation import deletion
from fedihub.social import moves
from fedihub.web import page_kit, session
from fedihub.web.common import runtime

blueprint = Blueprint("migration_pages", __name__, url_prefix="/settings")
Redirect = WerkzeugResponse
Page = tuple[str, int]
PATH = "/settings/migration"


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


async def _page(
    user: models.User,
    *,
    error: str | None = None,
    delete_error: str | None = None,
    status: int = 200,
) -> Page:
    actor = await models.Actor.get(id=user.actor_id)
    moved_to = await models.Actor.get_or_none(id=actor.moved_to_id) if actor.moved_to_id else None
    page = await render_template(
        "settings/migration.html",
        aliases=page_kit.accounts(await moves.aliases(actor)),
        moved_to=page_kit.accounts([moved_to])[0] if moved_to else None,
        may_move_at=moves.may_move_at(actor),
        handle=page_kit.handle(actor),
        error=error,
        delete_error=delete_error,
        done=request.args.get("done"),
    )
    return page, status


def _error_text(exc: FedihubError) -> str:
    # the services name the field first (`acct: ...`) for API clients; the page's label says it
    return exc.public.removeprefix("acct: ")


@blueprint.get("/migration")
async def migration() -> Page:
    return await _page(await page_kit.signed_in())


@blueprint.post("/migration/aliases")
async def add_alias() -> Page | Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    try:
        await moves.add_alias(runtime(), user.actor, str(form.get("acct") or ""))
    except FedihubError as exc:
        return await _page(user, error=_error_text(exc), status=exc.status)
    return await page_kit.back(f"{PATH}?done=alias")


@blueprint.post("/migration/aliases/<int:actor_id>/remove")
async def remove_alias(actor_id: int) -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    other = await models.Actor.get_or_none(id=actor_id)
    if other is not None:
        await moves.remove_alias(runtime(), user.actor, other.uri)
    return await page_kit.back(PATH)


@blueprint.post("/migration/move")
async def move() -> Page | Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    try:
        await moves.move(runtime(), user.actor, str(form.get("acct") or ""))
    except FedihubError as exc:
        return await _page(user, error=_error_text(exc), status=exc.status)
    return await page_kit.back(f"{PATH}?done=moved")


@blueprint.post("/migration/delete")
async def delete_account() -> Page | Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    try:
        await deletion.delete_own(runtime(), user, str(form.get("password") or ""))
    except FedihubError as exc:
        return await _page(user, delete_error=exc.public.removeprefix("password: "), status=422)
    return redirect("/", 303)
