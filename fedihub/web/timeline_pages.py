"""Timelines as pages: home (with the composer), local, federated, a hashtag, a list, the
reader's favourites and bookmarks. The statuses come from social/timelines.py, paged by
`?max_id=`, and are shown only where api/entities' visibility check lets the reader see them."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Quart, render_template, request
from tortoise.queryset import QuerySet

from fedihub import models
from fedihub.social import followed_tags, lists, timelines
from fedihub.web import page_kit
from fedihub.web.i18n import N_

blueprint = Blueprint("timeline_pages", __name__)

# what the composer offers, in the order Mastodon's does (institution: this node's members only)
VISIBILITY_CHOICES = (
    ("public", N_("Public")),
    ("unlisted", N_("Unlisted")),
    ("private", N_("Followers only")),
    ("institution", N_("This node only")),
    ("direct", N_("Mentioned people only")),
)
VISIBILITY_LABELS = dict(VISIBILITY_CHOICES)


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)
    app.jinja_env.globals["visibility_choices"] = VISIBILITY_CHOICES
    app.jinja_env.globals["visibility_labels"] = VISIBILITY_LABELS


async def timeline_page(
    query: QuerySet[models.Status],
    heading: str,
    *,
    stream: str | None = None,
    composer: bool = False,
    template: str = "timelines/timeline.html",
    **context: Any,
) -> str:
    who = await page_kit.reader()
    paged = await page_kit.page(query)
    return await render_template(
        template,
        heading=heading,
        items=await page_kit.statuses(paged.rows, who),
        paged=paged,
        stream=stream if paged.newer_url is None else None,
        composer=composer,
        posted=request.args.get("posted") == "1",
        **context,
    )


@blueprint.get("/home")
async def home() -> str:
    user = await page_kit.signed_in()
    return await timeline_page(timelines.home(user.actor), N_("Home"), stream="user", composer=True)


@blueprint.get("/timelines/local")
async def local() -> str:
    who = await page_kit.reader()
    return await timeline_page(
        timelines.public(who, local=True), N_("Local"), stream="public:local"
    )


@blueprint.get("/timelines/federated")
async def federated() -> str:
    user = await page_kit.signed_in()
    return await timeline_page(timelines.public(user.actor), N_("Federated"), stream="public")


@blueprint.get("/tags/<name>")
async def tag(name: str) -> str:
    who = await page_kit.reader()
    name = followed_tags.normalize(name)
    followed = bool(who and await followed_tags.following(who, [name]))
    return await timeline_page(
        timelines.tag(who, name),
        N_("Hashtag"),
        heading_detail=f"#{name}",
        stream=f"hashtag:{name}",
        template="timelines/tag.html",
        tag_name=name,
        tag_followed=followed,
    )


@blueprint.get("/favourites")
async def favourites() -> str:
    user = await page_kit.signed_in()
    return await timeline_page(timelines.favourites(user.actor), N_("Favourites"))


@blueprint.get("/bookmarks")
async def bookmarks() -> str:
    user = await page_kit.signed_in()
    return await timeline_page(timelines.bookmarks(user.actor), N_("Bookmarks"))


@blueprint.get("/lists/<int:list_id>")
async def list_timeline(list_id: int) -> str:
    user = await page_kit.signed_in()
    owned = await lists.owned(user.actor, list_id)
    return await timeline_page(
        timelines.for_list(owned),
        N_("List"),
        heading_detail=owned.title,
        stream=f"list:{owned.id}",
        template="timelines/list.html",
        list=owned,
        members=page_kit.accounts(await lists.members(owned).order_by("-id").limit(200)),
    )
