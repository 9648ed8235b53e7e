"""/api/fedihub/v1/articles: knowledge posts (create, read, edit, publish, delete, versions,
export, search) and /api/fedihub/v1/trends/articles. Described in knowledge/openapi.py.

Reads follow the post's status (social/visibility.py); a draft is its author's alone, and
anything a viewer may not see is a 404, as if it did not exist. Writes need `write:statuses`,
reads `read:statuses` when a token is sent (the `read`/`write` umbrellas cover them).
"""

from __future__ import annotations

from datetime import UTC, datetime

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_user, optional_user, require_scope, scope_if_token
from fedihub.api.common import Params, id_or_none, invalid, not_found, params, parse_id
from fedihub.api.entities.article import article as article_entity
from fedihub.api.entities.article import articles as article_entities
from fedihub.api.entities.article import version_entity
from fedihub.errors import FedihubError, Invalid
from fedihub.knowledge import articles, exports, search, trending, versions
from fedihub.knowledge import remote as knowledge_remote
from fedihub.models import Visibility
from fedihub.security import html
from fedihub.social import remote as social_remote
from fedihub.web.common import runtime

blueprint = Blueprint("api_articles", __name__)
P = "/api/fedihub/v1/articles"
MAX_LIMIT = 40


def _visibility(value: str | None) -> Visibility:
    if not value:
        return Visibility.PUBLIC
    try:
        level = Visibility(value)
    except ValueError:
        level = Visibility.DIRECT
    if level not in articles.LEVELS:
        raise invalid(
            f"visibility must be public, unlisted, private or institution, not {value[:40]!r}",
            "visibility",
        )
    return level


def _ids(p: Params, name: str) -> tuple[int, ...]:
    out = []
    for raw in p.list(name):
        value = id_or_none(raw)
        if value is None:
            raise invalid(f"{name} must be ids", name)
        out.append(value)
    return tuple(out)


def _input(p: Params) -> articles.ArticleInput:
    cover = p.str("cover_id")
    cover_id = id_or_none(cover) if cover else None
    if cover and cover_id is None:
        raise invalid("cover_id must be an id", "cover_id")
    tags = p.list("tags")
    if any(not isinstance(t, str) for t in tags):
        raise invalid("tags must be strings", "tags")
    return articles.ArticleInput(
        title=p.str("title", "") or "",
        summary=p.str("summary", "") or "",
        body=p.str("body", "") or "",
        tags=tuple(tags),
        language=p.str("language"),
        license=p.str("license"),
        visibility=_visibility(p.str("visibility")),
        media_ids=_ids(p, "media_ids"),
        cover_id=cover_id,
    )


def _validation(exc: Invalid) -> Invalid:
    """A 422 whose message names the field (the error body carries only the message)."""
    message = exc.public
    if exc.field and exc.field not in message:
        message = f"{exc.field}: {message}"
    return invalid(message, exc.field)


async def _viewer() -> models.Actor | None:
    user = await optional_user()
    return user.actor if user else None


async def visible_article(raw_id: str, viewer: models.Actor | None) -> models.Article:
    """The article `viewer` may read; NotFound (404) for every other."""
    found = await models.Article.get_or_none(id=parse_id(raw_id))
    if found is None or not await search.visible(viewer, [found]):
        raise not_found()
    return found


@blueprint.post(P)
@require_scope("write:statuses")
async def create() -> Response:
    p = await params()
    user = current_user()
    draft = bool(p.bool("draft", False))
    try:
        made = await articles.create(runtime(), user, _input(p), draft=draft)
    except Invalid as exc:
        raise _validation(exc) from None
    return jsonify(await article_entity(runtime(), made))


@blueprint.get(P)
@scope_if_token("read:statuses")
async def index() -> Response:
    p = await params()
    viewer = await _viewer()
    account = p.str("account")
    account_id = None
    if account:
        account_id = id_or_none(account)
        if account_id is None:
            raise invalid("account must be an account id", "account")
    domain = p.str("domain")
    if domain is not None and domain.lower() == runtime().urls.domain:
        domain = ""
    query = search.Query(
        q=p.str("q", "") or "",
        tag=p.str("tag") or None,
        account_id=account_id,
        domain=domain or (None if domain is None else ""),
        language=p.str("language") or None,
        since=_time(p, "since"),
        until=_time(p, "until"),
        limit=p.int("limit", 20, low=1, high=MAX_LIMIT, clamp=True) or 20,
        offset=p.offset(),
    )
    found = await search.find(viewer, query)
    if viewer is not None and p.bool("resolve", False) and query.offset == 0:
        # a post's URL, as /api/v2/search resolves statuses: fetched from its origin and kept
        imported = await _resolve(query.q, viewer)
        if imported is not None and imported.id not in {a.id for a in found}:
            found = [imported, *found][: query.limit]
    return jsonify(await article_entities(runtime(), found))


async def _resolve(q: str, viewer: models.Actor) -> models.Article | None:
    url = html.safe_link(q.strip())
    if url is None:
        return None
    try:
        status = await social_remote.fetch_status(runtime(), url, social_remote.FetchBudget(4))
    except FedihubError:
        return None  # unreachable or not a post: nothing found, as Mastodon's search answers
    article = await models.Article.get_or_none(status_id=status.id)
    if article is None and not status.local:
        article = await knowledge_remote.sync(runtime(), status)
    if article is None or not await search.visible(viewer, [article]):
        return None
    return article


def _time(p: Params, name: str) -> datetime | None:
    raw = p.str(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise invalid(f"{name} must be an ISO 8601 date or time", name) from None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


@blueprint.get(f"{P}/<raw_id>")
@scope_if_token("read:statuses")
async def show(raw_id: str) -> Response:
    found = await visible_article(raw_id, await _viewer())
    if not found.draft:
        await trending.count_read(runtime(), found.id)
    return jsonify(await article_entity(runtime(), found))


@blueprint.put(f"{P}/<raw_id>")
@require_scope("write:statuses")
async def update(raw_id: str) -> Response:
    p = await params()
    user = current_user()
    try:
        edited = await articles.edit(runtime(), user, parse_id(raw_id), _input(p))
    except Invalid as exc:
        raise _validation(exc) from None
    return jsonify(await article_entity(runtime(), edited))


@blueprint.delete(f"{P}/<raw_id>")
@require_scope("write:statuses")
async def destroy(raw_id: str) -> Response:
    user = current_user()
    mine = await articles.own_article(user, parse_id(raw_id))
    body = await article_entity(runtime(), mine)
    await articles.delete(runtime(), user, mine.id)
    return jsonify(body)


@blueprint.post(f"{P}/<raw_id>/publish")
@require_scope("write:statuses")
async def publish(raw_id: str) -> Response:
    user = current_user()
    published = await articles.publish_article(runtime(), user, parse_id(raw_id))
    return jsonify(await article_entity(runtime(), published))


@blueprint.get(f"{P}/<raw_id>/versions")
@scope_if_token("read:statuses")
async def version_list(raw_id: str) -> Response:
    found = await visible_article(raw_id, await _viewer())
    return jsonify([version_entity(v) for v in await versions.listing(found)])


@blueprint.get(f"{P}/<raw_id>/versions/<raw_number>")
@scope_if_token("read:statuses")
async def version_show(raw_id: str, raw_number: str) -> Response:
    found = await visible_article(raw_id, await _viewer())
    number = id_or_none(raw_number)
    pair = await versions.one(found, number) if number is not None and number < 2**31 else None
    if pair is None:
        raise not_found()
    after, before = pair
    change = versions.diff(before, after)
    return jsonify(
        version_entity(
            after,
            diff=change.body_diff,
            title_change=change.title,
            summary_change=change.summary,
            full=True,
        )
    )


@blueprint.get(f"{P}/<raw_id>/export")
@scope_if_token("read:statuses")
async def export(raw_id: str) -> Response:
    p = await params()
    found = await visible_article(raw_id, await _viewer())
    fmt = p.str("format", "markdown") or "markdown"
    if fmt not in exports.FORMATS:
        raise invalid("format must be markdown or html", "format")
    author = await models.Actor.get(id=found.actor_id)
    text, content_type = exports.export(runtime(), found, author, fmt)
    name = f"article-{found.id}.{exports.FORMATS[fmt]}"
    return Response(
        text,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blueprint.get("/api/fedihub/v1/trends/articles")
@scope_if_token("read:statuses")
async def trends() -> Response:
    p = await params()
    viewer = await _viewer()
    limit = p.int("limit", 10, low=1, high=MAX_LIMIT, clamp=True) or 10
    found = await search.visible(viewer, await trending.trending(p.offset(), limit))
    return jsonify(await article_entities(runtime(), found))
