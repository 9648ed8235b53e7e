"""The signed-in reader's own pages: notifications, direct messages, lists and followed hashtags,
with the forms that change them (CSRF-protected, answered by a redirect back)."""

from __future__ import annotations

from datetime import datetime

from quart import Blueprint, Quart, redirect, render_template, request
from tortoise.expressions import Q
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.api.entities.notification import notifications as notification_entities
from fedihub.errors import NotFound
from fedihub.social import conversations, followed_tags, lists, timelines
from fedihub.web import page_kit, session
from fedihub.web.common import runtime
from fedihub.web.i18n import N_

blueprint = Blueprint("member_pages", __name__)
Redirect = WerkzeugResponse

# what each kind of notification says, with {name} for who did it
NOTIFICATION_TEXT = {
    "mention": N_("{name} mentioned you"),
    "status": N_("{name} posted"),
    "reblog": N_("{name} boosted your post"),
    "follow": N_("{name} followed you"),
    "follow_request": N_("{name} asked to follow you"),
    "favourite": N_("{name} favourited your post"),
    "update": N_("{name} edited a post"),
    "poll": N_("A poll has ended"),
    "move": N_("{name} moved to a new account"),
}


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)
    app.jinja_env.globals["notification_text"] = NOTIFICATION_TEXT


@blueprint.get("/notifications")
async def notifications() -> str:
    user = await page_kit.signed_in()
    paged = await page_kit.page(models.Notification.filter(recipient_id=user.actor.id))
    entries = await notification_entities(runtime(), paged.rows, user.actor)
    for entry in entries:
        entry["at"] = datetime.fromisoformat(entry["created_at"])
        page_kit.present_account(entry["account"])
        if entry["status"]:
            page_kit.present_status(entry["status"])
    return await render_template("members/notifications.html", entries=entries, paged=paged)


@blueprint.get("/conversations")
async def conversations_page() -> str:
    """Direct messages grouped by conversation, newest first, as Mastodon's apps show them: the
    others in it, the newest message, and whether it is unread."""
    user = await page_kit.signed_in()
    who = user.actor
    lasts = await conversations.latest_by_conversation(
        who, page_kit.PAGE_SIZE + 1, max_id=page_kit.cursor()
    )
    more = len(lasts) > page_kit.PAGE_SIZE
    lasts = lasts[: page_kit.PAGE_SIZE]
    found = await conversations.summaries(who, lasts)
    shown = {e["id"]: e for e in await page_kit.statuses([c.last for c in found], who)}
    people = {
        a.id: a
        for a in await models.Actor.filter(id__in={i for c in found for i in c.participant_ids})
    }
    items = [
        {
            "id": c.id,
            "unread": c.unread,
            "accounts": page_kit.accounts([people[i] for i in c.participant_ids if i in people]),
            "status": shown[str(c.last.id)],
        }
        for c in found
        if str(c.last.id) in shown
    ]
    paged = page_kit.paged_by_hand(items, more, lasts[-1].id if lasts else None)
    return await render_template(
        "members/conversations.html",
        items=items,
        paged=paged,
        stream="direct" if paged.newer_url is None else None,
        composer=True,
        default_visibility="direct",
        posted=request.args.get("posted") == "1",
    )


@blueprint.get("/conversations/<int:conversation_id>")
async def conversation_page(conversation_id: int) -> WerkzeugResponse:
    """Open a conversation: it is read up to its newest message, and its thread is shown."""
    user = await page_kit.signed_in()
    root = await timelines.direct(user.actor).filter(id=conversation_id).first()
    if root is None:
        raise NotFound("no such conversation")
    key = conversations.key_of(root)
    newest = (
        await timelines.direct(user.actor)
        .filter(Q(conversation_uri=key) | Q(uri=key))
        .order_by("-id")
        .first()
    )
    last = newest or root
    await conversations.mark(user.actor, f"conv:{conversation_id}", last.id)
    return redirect(f"/web/statuses/{last.id}")


@blueprint.get("/lists")
async def list_index() -> str:
    user = await page_kit.signed_in()
    owned = await lists.of_owner(user.actor)
    tags = await models.FollowedTag.filter(actor_id=user.actor.id).order_by("name")
    return await render_template("members/lists.html", lists=owned, tags=[t.name for t in tags])


@blueprint.post("/lists")
async def list_create() -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    form = await request.form
    await lists.create(user.actor, lists.Changes(title=form.get("title", "")))
    return await page_kit.back("/lists")


@blueprint.post("/lists/<int:list_id>/delete")
async def list_delete(list_id: int) -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    await lists.delete(await lists.owned(user.actor, list_id))
    return await page_kit.back("/lists")


@blueprint.post("/lists/<int:list_id>/members")
async def list_members(list_id: int) -> Redirect:
    """Add (`add=<account id>`) or remove (`remove=<account id>`) a member."""
    user = await page_kit.signed_in()
    await session.require_csrf()
    owned = await lists.owned(user.actor, list_id)
    form = await request.form
    added, removed = form.get("add", ""), form.get("remove", "")
    if added.isdigit():
        await lists.add(owned, [int(added)])
    elif removed.isdigit():
        await lists.remove(owned, [int(removed)])
    else:
        raise NotFound("no such account")
    return await page_kit.back(f"/lists/{owned.id}")


@blueprint.post("/tags/<name>/<action>")
async def tag_follow(name: str, action: str) -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    name = followed_tags.normalize(name)
    if action == "follow":
        await followed_tags.follow(user.actor, name)
    elif action == "unfollow":
        await followed_tags.unfollow(user.actor, name)
    else:
        raise NotFound("no such action")
    return await page_kit.back(f"/tags/{name}")
