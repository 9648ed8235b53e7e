"""Knowledge post pages: browse and search (with tag, language and trending views), read a post
with its thread and versions, write and edit with a live Markdown preview; and the post's FEP-bad1
history and old versions as ActivityStreams at stable URLs beside its object.

What a reader may see is knowledge/search.visible (the status's rules, drafts their author's);
anything else is a 404. Institution-only posts carry no OpenGraph and no ActivityStreams link, and
their history is never served over ActivityPub.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.activitypub.documents import format_datetime
from fedihub.errors import FedihubError, NotFound, Unauthorized
from fedihub.knowledge import articles, documents, markdown, search, trending, versions
from fedihub.media import placement
from fedihub.models import Visibility
from fedihub.runtime import Runtime
from fedihub.social import visibility
from fedihub.web import i18n, session
from fedihub.web.common import runtime, wants_activity_json
from fedihub.web.federation import as_response, local_actor, requester_for_documents

blueprint = Blueprint("knowledge", __name__)
PAGE = 20


def _id(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise NotFound("no such post")
    return int(raw)


async def _viewer() -> tuple[models.User | None, models.Actor | None]:
    user = await session.current_user()
    return user, (user.actor if user else None)


async def _readable(raw_id: str, viewer: models.Actor | None) -> models.Article:
    found = await models.Article.get_or_none(id=_id(raw_id))
    if found is None or not await search.visible(viewer, [found]):
        raise NotFound("no such post")
    return found


async def _cards(items: list[models.Article]) -> list[dict[str, Any]]:
    authors = {a.id: a for a in await models.Actor.filter(id__in={i.actor_id for i in items})}
    rt = runtime()
    return [
        {
            "article": item,
            "author": authors[item.actor_id],
            "handle": f"@{authors[item.actor_id].username}@"
            f"{authors[item.actor_id].domain or rt.urls.domain}",
        }
        for item in items
    ]


@blueprint.get("/articles")
async def index() -> str:
    _user, viewer = await _viewer()
    args = request.args
    try:
        offset = min(max(int(args.get("offset", "0") or 0), 0), 10_000)
    except ValueError:
        offset = 0
    view = args.get("view", "")
    if view == "trending":
        found = await search.visible(viewer, await trending.trending(offset, PAGE))
    else:
        query = search.Query(
            q=(args.get("q") or "")[:500],
            tag=args.get("tag") or None,
            language=args.get("language") or None,
            limit=PAGE,
            offset=offset,
        )
        found = await search.find(viewer, query)
    return await render_template(
        "knowledge/list.html",
        domain=runtime().urls.domain,
        cards=await _cards(found),
        q=args.get("q", ""),
        tag=args.get("tag", ""),
        language=args.get("language", ""),
        view=view,
        offset=offset,
        page=PAGE,
    )


@blueprint.get("/articles/<raw_id>")
async def show(raw_id: str) -> Response | WerkzeugResponse | str:
    _user, viewer = await _viewer()
    if wants_activity_json():
        found = await models.Article.get_or_none(id=_id(raw_id))
        status = (
            await models.Status.get_or_none(id=found.status_id)
            if found and found.status_id
            else None
        )
        if status is None or not visibility.federates(status.visibility):
            raise NotFound("no such post")
        return redirect(status.uri, 303)
    found = await _readable(raw_id, viewer)
    rt = runtime()
    author = await models.Actor.get(id=found.actor_id)
    status = await models.Status.get_or_none(id=found.status_id) if found.status_id else None
    replies: list[models.Status] = []
    if status is not None:
        candidates = (
            await models.Status.filter(
                conversation_uri=status.conversation_uri or status.uri,
                deleted_at__isnull=True,
                reblog_of_id__isnull=True,
            )
            .exclude(id=status.id)
            .order_by("id")
            .limit(200)
        )
        replies = await visibility.visible(viewer, candidates)
        await trending.count_read(rt, found.id)
    reply_authors = {
        a.id: a for a in await models.Actor.filter(id__in={r.actor_id for r in replies})
    }
    cover = await models.MediaAttachment.get_or_none(id=found.cover_id) if found.cover_id else None
    files = await _files(rt, found)
    federated = status is not None and visibility.federates(status.visibility)
    return await render_template(
        "knowledge/post.html",
        domain=rt.urls.domain,
        article=found,
        author=author,
        handle=f"@{author.username}@{author.domain or rt.urls.domain}",
        status=status,
        page_url=documents.page_url(rt, found),
        cover_url=placement.viewer_url(rt, cover.storage_key)
        if cover and cover.storage_key
        else None,
        license_url=documents.license_url(found.license),
        federated=federated,
        replies=[(r, reply_authors[r.actor_id]) for r in replies],
        mine=viewer is not None and viewer.id == found.actor_id and found.local,
        files=files,
    )


async def _files(rt: Runtime, article: models.Article) -> list[dict[str, object]]:
    """The post's attachments as links (a restricted file's link is the checking route, which
    serves it to whoever may read this page)."""
    if article.status_id is not None:
        rows = await models.MediaAttachment.filter(status_id=article.status_id).order_by(
            "position", "id"
        )
    elif article.media_ids:  # a draft: its author's uploads, in the order given
        found = await models.MediaAttachment.filter(
            id__in=article.media_ids, actor_id=article.actor_id
        )
        rows = sorted(found, key=lambda m: article.media_ids.index(m.id))
    else:
        rows = []
    out: list[dict[str, object]] = []
    for item in rows:
        url = item.remote_url or (
            placement.viewer_url(rt, item.storage_key) if item.storage_key else None
        )
        if url:
            name = item.description or url.rsplit("/", 1)[-1]
            out.append({"url": url, "name": name, "type": item.content_type, "size": item.size})
    return out


@blueprint.get("/articles/<raw_id>/versions")
async def version_list(raw_id: str) -> str:
    _user, viewer = await _viewer()
    found = await _readable(raw_id, viewer)
    return await render_template(
        "knowledge/versions.html",
        domain=runtime().urls.domain,
        article=found,
        versions=await versions.listing(found),
        shown=None,
    )


@blueprint.get("/articles/<raw_id>/versions/<raw_number>")
async def version_show(raw_id: str, raw_number: str) -> str:
    _user, viewer = await _viewer()
    found = await _readable(raw_id, viewer)
    pair = await versions.one(found, _id(raw_number)) if len(raw_number) < 10 else None
    if pair is None:
        raise NotFound("no such version")
    after, before = pair
    return await render_template(
        "knowledge/versions.html",
        domain=runtime().urls.domain,
        article=found,
        versions=await versions.listing(found),
        shown=after,
        change=versions.diff(before, after),
    )


# ---- writing ------------------------------------------------------------------------------------


async def _author() -> models.User:
    user = await session.current_user()
    if user is None:
        raise Unauthorized("sign in to write")
    return user


def _form_input(form: Any) -> articles.ArticleInput:
    level = form.get("visibility", "public")
    try:
        chosen = Visibility(level)
    except ValueError:
        chosen = Visibility.DIRECT  # refused by the service with the field named
    tags = tuple(t for t in (form.get("tags", "") or "").replace("，", ",").split(",") if t.strip())
    return articles.ArticleInput(
        title=form.get("title", ""),
        summary=form.get("summary", ""),
        body=form.get("body", ""),
        tags=tags,
        language=form.get("language") or None,
        license=form.get("license") or None,
        visibility=chosen,
    )


async def _editor(
    article: models.Article | None, form: dict[str, str], error: str | None, status: int = 200
) -> tuple[str, int]:
    page = await render_template(
        "knowledge/editor.html",
        domain=runtime().urls.domain,
        article=article,
        form=form,
        error=error,
        levels=[level.value for level in articles.LEVELS],
    )
    return page, status


def _form_of(article: models.Article | None) -> dict[str, str]:
    if article is None:
        return {"visibility": "public"}
    return {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "tags": ", ".join(article.tags),
        "language": article.language or "",
        "license": article.license or "",
        "visibility": article.visibility.value,
    }


@blueprint.get("/articles/new")
async def new() -> tuple[str, int]:
    await _author()
    return await _editor(None, _form_of(None), None)


@blueprint.post("/articles/new")
async def create() -> Response | WerkzeugResponse | tuple[str, int]:
    user = await _author()
    await session.require_csrf()
    form = await request.form
    try:
        made = await articles.create(
            runtime(), user, _form_input(form), draft=form.get("draft") == "1"
        )
    except FedihubError as exc:
        return await _editor(None, dict(form), i18n.error_text(exc, i18n.negotiate(user)), 422)
    return redirect(f"/articles/{made.id}", 303)


@blueprint.get("/articles/<raw_id>/edit")
async def edit(raw_id: str) -> tuple[str, int]:
    user = await _author()
    found = await articles.own_article(user, _id(raw_id))
    return await _editor(found, _form_of(found), None)


@blueprint.post("/articles/<raw_id>/edit")
async def save(raw_id: str) -> Response | WerkzeugResponse | tuple[str, int]:
    user = await _author()
    await session.require_csrf()
    found = await articles.own_article(user, _id(raw_id))
    form = await request.form
    try:
        await articles.edit(runtime(), user, found.id, _form_input(form))
        if form.get("publish") == "1":
            await articles.publish_article(runtime(), user, found.id)
    except FedihubError as exc:
        return await _editor(found, dict(form), i18n.error_text(exc, i18n.negotiate(user)), 422)
    return redirect(f"/articles/{found.id}", 303)


@blueprint.post("/articles/preview")
async def preview() -> Response:
    """The live preview: the Markdown as it will be shown (signed-in authors only)."""
    await _author()
    await session.require_csrf()
    form = await request.form
    body = form.get("body", "")[: articles.MAX_BODY]
    return jsonify({"html": markdown.render(body)})


# ---- FEP-bad1: the history of a post and its old versions, as ActivityStreams ----------------


async def _federated_article(username: str, raw_id: str) -> tuple[models.Status, models.Article]:
    requester = await requester_for_documents()
    author = await local_actor(username)
    status = await models.Status.get_or_none(
        id=_id(raw_id), actor_id=author.id, local=True, deleted_at__isnull=True
    )
    if status is None or not visibility.federates(status.visibility):
        raise NotFound("no such post")
    if not await visibility.can_see(requester, status):
        raise NotFound("no such post")
    found = await models.Article.get_or_none(status_id=status.id)
    if found is None:
        raise NotFound("no such post")
    status.actor = author
    return status, found


@blueprint.get("/users/<username>/statuses/<raw_id>/history")
async def history(username: str, raw_id: str) -> Response:
    status, found = await _federated_article(username, raw_id)
    items = []
    for version in await versions.listing(found):
        kind = "Create" if version.number == 1 else "Update"
        items.append(
            {
                "id": f"{status.uri}/versions/{version.number}/activity",
                "type": kind,
                "actor": status.actor.uri,
                "published": format_datetime(version.created_at),
                "object": f"{status.uri}/versions/{version.number}",
            }
        )
    return as_response(
        {
            "@context": documents.ARTICLE_CONTEXT,
            "id": f"{status.uri}/history",
            "type": "OrderedCollection",
            "totalItems": len(items),
            "orderedItems": items,
        }
    )


@blueprint.get("/users/<username>/statuses/<raw_id>/versions/<raw_number>")
async def old_version(username: str, raw_id: str, raw_number: str) -> Response:
    status, found = await _federated_article(username, raw_id)
    pair = await versions.one(found, _id(raw_number)) if len(raw_number) < 10 else None
    if pair is None:
        raise NotFound("no such version")
    version, _before = pair
    document = {
        "@context": documents.ARTICLE_CONTEXT,
        "id": f"{status.uri}/versions/{version.number}",
        "type": "Article",
        "name": version.title,
        "summary": documents.summary_html(version.summary),
        "content": version.content,
        "mediaType": "text/html",
        "source": {"content": version.body, "mediaType": "text/markdown"},
        "attributedTo": status.actor.uri,
        "published": format_datetime(version.created_at),
        "prov:wasRevisionOf": f"{status.uri}/versions/{version.number - 1}"
        if version.number > 1
        else None,
        "url": {
            "type": "Link",
            "href": documents.page_url(runtime(), found) + f"/versions/{version.number}",
            "mediaType": "text/html",
        },
    }
    return as_response({k: v for k, v in document.items() if v is not None})
