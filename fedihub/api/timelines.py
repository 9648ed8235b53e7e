"""/api/v1/timelines (home, public, tag, list, direct), account statuses, bookmarks and
favourites lists."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify
from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from fedihub import models
from fedihub.api import filters, pagination
from fedihub.api.auth import current_actor, optional_user, require_scope, scope_if_token
from fedihub.api.common import not_found, params, parse_id
from fedihub.api.entities.status import statuses as status_entities
from fedihub.social import lists, timelines
from fedihub.web.common import runtime

blueprint = Blueprint("api_timelines", __name__)


async def statuses_page(
    query: QuerySet[models.Status],
    viewer: models.Actor | None,
    *,
    default: int = 20,
    maximum: int = 40,
    context: str | None = None,
) -> Response:
    """One page of `query`; with a filter `context`, the viewer's filters of that context mark
    or leave out statuses (the Link header still pages over every row read)."""
    p = await params()
    pg = pagination.page(p, default=default, maximum=maximum)
    rows = await pagination.fetch(query, pg)
    rendered = await status_entities(runtime(), rows, viewer)
    if context is not None:
        rendered = await filters.apply(viewer, context, rendered)
    response = jsonify(rendered)
    link = pagination.link_header(rows[0].id if rows else None, rows[-1].id if rows else None)
    if link:
        response.headers["Link"] = link
    return response


@blueprint.get("/api/v1/timelines/home")
@require_scope("read:statuses")
async def home() -> Response:
    return await statuses_page(timelines.home(current_actor()), current_actor(), context="home")


@blueprint.get("/api/v1/timelines/public")
@scope_if_token("read:statuses")
async def public() -> Response:
    user = await optional_user()
    p = await params()
    viewer = user.actor if user else None
    query = timelines.public(
        viewer, local=bool(p.bool("local", False)), remote=bool(p.bool("remote", False))
    )
    if p.bool("only_media", False):
        query = query.filter(
            id__in=Subquery(
                models.MediaAttachment.filter(status_id__not_isnull=True).values("status_id")
            )
        )
    return await statuses_page(query, viewer, context="public")


@blueprint.get("/api/v1/timelines/tag/<name>")
@scope_if_token("read:statuses")
async def tag(name: str) -> Response:
    user = await optional_user()
    p = await params()
    viewer = user.actor if user else None
    tagged = timelines.tag(viewer, name, local=bool(p.bool("local", False)))
    return await statuses_page(tagged, viewer, context="public")


@blueprint.get("/api/v1/timelines/list/<raw_id>")
@require_scope("read:lists")
async def list_timeline(raw_id: str) -> Response:
    owned = await lists.owned(current_actor(), parse_id(raw_id))
    return await statuses_page(timelines.for_list(owned), current_actor(), context="home")


@blueprint.get("/api/v1/timelines/direct")
@require_scope("read:statuses")
async def direct() -> Response:
    return await statuses_page(timelines.direct(current_actor()), current_actor())


@blueprint.get("/api/v1/accounts/<raw_id>/statuses")
@scope_if_token("read:statuses")
async def account_statuses(raw_id: str) -> Response:
    user = await optional_user()
    viewer = user.actor if user else None
    author = await models.Actor.get_or_none(id=parse_id(raw_id), deleted_at=None)
    if author is None:
        raise not_found()
    p = await params()
    query = await timelines.account(viewer, author)
    if p.bool("exclude_replies", False):
        query = query.filter(in_reply_to_uri__isnull=True)
    if p.bool("exclude_reblogs", False):
        query = query.filter(reblog_of_id__isnull=True)
    if p.bool("only_media", False):
        query = query.filter(
            id__in=Subquery(
                models.MediaAttachment.filter(status_id__not_isnull=True).values("status_id")
            )
        )
    if p.bool("pinned", False):
        pinned = models.Pin.filter(actor_id=author.id).values("status_id")
        query = query.filter(id__in=Subquery(pinned), reblog_of_id__isnull=True)
    if p.str("tagged"):
        query = query.filter(
            id__in=Subquery(
                models.StatusTag.filter(name=(p.str("tagged") or "").lower()).values("status_id")
            )
        )
    return await statuses_page(query, viewer, context="account")


@blueprint.get("/api/v1/favourites")
@require_scope("read:favourites")
async def favourites() -> Response:
    return await statuses_page(timelines.favourites(current_actor()), current_actor())


@blueprint.get("/api/v1/bookmarks")
@require_scope("read:bookmarks")
async def bookmarks() -> Response:
    return await statuses_page(timelines.bookmarks(current_actor()), current_actor())
