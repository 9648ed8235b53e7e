"""A status and its thread as a page, the composer's form, and the actions on a status
(favourite, boost, bookmark, delete and their undos) as CSRF-protected forms that work without
JavaScript: each answers with a redirect back to the page it was sent from."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from quart import Blueprint, Quart, redirect, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.errors import Invalid, NotFound, PayloadTooLarge
from fedihub.media import uploads
from fedihub.models import Visibility
from fedihub.runtime import Runtime
from fedihub.social import interactions, statuses, threads
from fedihub.web import i18n, page_kit, session
from fedihub.web.auth import page_locale, safe_next
from fedihub.web.common import runtime

blueprint = Blueprint("status_pages", __name__)
Redirect = WerkzeugResponse

Action = Callable[[Runtime, models.User, int], Awaitable[object]]
ACTIONS: dict[str, Action] = {
    "favourite": lambda rt, user, sid: interactions.favourite(rt, user.actor, sid),
    "unfavourite": lambda rt, user, sid: interactions.unfavourite(rt, user.actor, sid),
    "reblog": lambda rt, user, sid: interactions.reblog(rt, user.actor, sid),
    "unreblog": lambda rt, user, sid: interactions.unreblog(rt, user.actor, sid),
    "bookmark": lambda rt, user, sid: interactions.bookmark(user.actor, sid),
    "unbookmark": lambda rt, user, sid: interactions.unbookmark(user.actor, sid),
    "delete": lambda rt, user, sid: statuses.delete(rt, user, sid),
}


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


async def thread_page(status: models.Status, who: models.Actor | None) -> str:
    """The status with the ancestors above it and the replies below, and a reply form."""
    thread = await threads.context(status, who)
    focus = await page_kit.statuses([status], who)
    if not focus:
        raise NotFound("Record not found")
    main = focus[0]
    mentions = ""
    if who is not None:
        names = [main["account"]["acct"], *(m["acct"] for m in main["mentions"])]
        own = who.username if who.domain is None else None
        mentions = " ".join(f"@{n}" for n in dict.fromkeys(names) if n != own)
    return await render_template(
        "statuses/thread.html",
        status=main,
        ancestors=await page_kit.statuses(thread.ancestors, who),
        descendants=await page_kit.statuses(thread.descendants, who),
        reply_to=main if who is not None else None,
        reply_mentions=f"{mentions} " if mentions else "",
        default_visibility=main["visibility"],
        posted=request.args.get("posted") == "1",
    )


@blueprint.get("/web/statuses/<int:status_id>")
async def show(status_id: int) -> str:
    who = await page_kit.reader()
    return await thread_page(await threads.visible_status(status_id, who), who)


def _visibility(value: str | None) -> Visibility:
    try:
        return Visibility(value or "public")
    except ValueError:
        raise Invalid("unknown visibility", field="visibility") from None


async def _upload(user: models.User) -> tuple[int, ...]:
    files = await request.files
    form = await request.form
    upload = files.get("media")
    if upload is None or not upload.filename:
        return ()
    limit = runtime().settings.max_media_bytes
    data = await asyncio.to_thread(upload.read, limit + 1)
    item = await uploads.upload(
        runtime(), user.actor, data, description=form.get("media_description") or None
    )
    return (item.id,)


@blueprint.post("/web/statuses")
async def create() -> Redirect | tuple[str, int]:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    next_path = safe_next(form.get("next") or "/home")
    reply_to = form.get("in_reply_to_id", "")
    try:
        draft = statuses.Draft(
            text_source=form.get("status", ""),
            visibility_level=_visibility(form.get("visibility")),
            spoiler_text=form.get("spoiler_text", ""),
            in_reply_to_id=int(reply_to) if reply_to.isdigit() else None,
            media_ids=await _upload(user),
        )
        await statuses.create(runtime(), user, draft)
    except (Invalid, PayloadTooLarge) as exc:
        message = i18n.error_text(exc, await page_locale())
        page = await render_template(
            "errors/form.html", message=message, back=next_path, text=form.get("status", "")
        )
        return page, exc.status
    separator = "&" if "?" in next_path.split("#")[0] else "?"
    path, _, fragment = next_path.partition("#")
    return redirect(f"{path}{separator}posted=1" + (f"#{fragment}" if fragment else ""), 303)


@blueprint.post("/web/statuses/<int:status_id>/<action>")
async def act(status_id: int, action: str) -> Redirect:
    user = await page_kit.signed_in()
    run = ACTIONS.get(action)
    if run is None:
        raise NotFound("no such action")
    await session.require_csrf()
    await run(runtime(), user, status_id)
    form = await request.form
    fallback = "/home" if action == "delete" else f"/web/statuses/{status_id}"
    return redirect(safe_next(form.get("next") or fallback), 303)
