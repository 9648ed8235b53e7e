"""Knowledge posts written here: create (as a draft or published), edit, publish, delete.

A draft is an Article row alone: private to its author, with no status and so no public id
(PROTOCOLS §2: "drafts are never objects with a public id"). Publishing makes its status, an
`Article` that federates through the outbox like any status; every save keeps a version
(versions.py). Mastodon never applies an Update of an Article (PROTOCOLS §0), so what its users
see is the first summary and the link: the link always leads to the current text. A published
post's visibility moving to or from institution-only is a Delete of the old status and a new one
(hometown#1323: remote copies keep their first audience), never an Update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.errors import Forbidden, Invalid, NotFound
from fedihub.ids import new_id
from fedihub.knowledge import documents, markdown, search, versions
from fedihub.media import placement
from fedihub.models import Visibility
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import activities, counters, events_hooks, statuses, visibility

MAX_TITLE = 300
MAX_SUMMARY = 2000
MAX_BODY = 200_000  # characters of Markdown (a 5 MB body is refused with a 422)
MAX_TAGS = 20
MAX_TAG = 64
MAX_MEDIA = 8
LEVELS = (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE, Visibility.INSTITUTION)
_SPDX = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]{0,63}", re.ASCII)
_CC = re.compile(r"https://creativecommons\.org/[a-z0-9./-]{1,100}", re.ASCII)
_TAG = re.compile(r"[^\W_][\w-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ArticleInput:
    """A knowledge post as its author sent it."""

    title: str
    summary: str = ""
    body: str = ""
    tags: tuple[str, ...] = ()
    language: str | None = None
    license: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    media_ids: tuple[int, ...] = field(default=())
    cover_id: int | None = None


def _plain(value: str, name: str, limit: int, *, required: bool = False) -> str:
    value = _CONTROL.sub("", value.replace("\r\n", "\n")).strip()
    if required and not value:
        raise Invalid(f"{name} can't be blank", field=name)
    if len(value) > limit:
        raise Invalid(f"{name} is too long (at most {limit} characters)", field=name)
    return value


def _tags(raw: tuple[str, ...]) -> list[str]:
    if len(raw) > MAX_TAGS:
        raise Invalid(f"too many tags (at most {MAX_TAGS})", field="tags")
    out: list[str] = []
    for tag in raw:
        name = tag.strip().lstrip("#").lower()
        if not name:
            continue
        if len(name) > MAX_TAG or not _TAG.fullmatch(name):
            raise Invalid(f"tag {tag[:80]!r} is not a hashtag", field="tags")
        if name not in out:
            out.append(name)
    return out


def check_license(value: str | None) -> str | None:
    """An SPDX identifier or a Creative Commons URL; None for none."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if _SPDX.fullmatch(value) or _CC.fullmatch(value):
        return value
    raise Invalid("license must be an SPDX identifier or a Creative Commons URL", field="license")


def _language(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}", value) or len(value) > 16:
        raise Invalid("language must be a BCP 47 tag such as en or zh-Hans", field="language")
    return value


async def _check_media(actor: models.Actor, inp: ArticleInput) -> None:
    ids = set(inp.media_ids) | ({inp.cover_id} if inp.cover_id else set())
    if len(inp.media_ids) > MAX_MEDIA:
        raise Invalid(f"too many attachments (at most {MAX_MEDIA})", field="media_ids")
    if not ids:
        return
    mine = await models.MediaAttachment.filter(
        id__in=ids, actor_id=actor.id, processing=models.MediaProcessing.COMPLETE
    ).count()
    if mine != len(ids):
        field_name = "cover_id" if inp.cover_id and not inp.media_ids else "media_ids"
        raise Invalid(statuses.MEDIA_UNAVAILABLE, field=field_name)


async def _values(actor: models.Actor, inp: ArticleInput) -> dict[str, Any]:
    """The checked columns of an input; Invalid names the first field at fault."""
    title = _plain(inp.title, "title", MAX_TITLE, required=True)
    summary = _plain(inp.summary, "summary", MAX_SUMMARY)
    if len(inp.body) > MAX_BODY:
        raise Invalid(f"body is too long (at most {MAX_BODY} characters)", field="body")
    if inp.visibility not in LEVELS:
        raise Invalid(
            "visibility must be public, unlisted, private or institution", field="visibility"
        )
    tags = _tags(inp.tags)
    values: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "body": inp.body,
        "content": markdown.render(inp.body),
        "tags": tags,
        "language": _language(inp.language),
        "license": check_license(inp.license),
        "visibility": inp.visibility,
        "media_ids": list(dict.fromkeys(inp.media_ids)),
        "cover_id": inp.cover_id,
    }
    await _check_media(actor, inp)
    values["search_text"] = search.index_text(title, summary, inp.body, tags)
    return values


def _files_of(values: dict[str, Any]) -> list[int]:
    cover = values.get("cover_id")
    return [*values.get("media_ids", []), *([cover] if cover else [])]


async def _place_files(rt: Runtime, ids: list[int], *, draft: bool, level: Visibility) -> None:
    """A post not everyone may see keeps its files where only its readers can download them
    (media/placement.py); done before any document names their URLs, outside a transaction
    (object storage is network I/O)."""
    restricted = draft or level not in (Visibility.PUBLIC, Visibility.UNLISTED)
    await placement.place(rt, ids, restricted=restricted)


async def create(
    rt: Runtime, author: models.User, inp: ArticleInput, *, draft: bool
) -> models.Article:
    """A new knowledge post, kept as a draft or published at once."""
    actor = await models.Actor.get(id=author.actor_id)
    if not draft and actor.moved_to_id is not None:
        raise Forbidden("this account has moved: post from the new one")
    values = await _values(actor, inp)
    await _place_files(rt, _files_of(values), draft=draft, level=inp.visibility)
    now = datetime.now(UTC)
    async with in_transaction():
        article = await models.Article.create(
            actor=actor, local=True, draft=True, version=1, created_at=now, **values
        )
        await versions.record(article, now)
    if not draft:
        article = await publish_article(rt, author, article.id)
    return article


async def own_article(author: models.User, article_id: int) -> models.Article:
    article = await models.Article.get_or_none(id=article_id, deleted_at__isnull=True)
    if article is None or (article.draft and article.actor_id != author.actor_id):
        raise NotFound("Record not found")
    if article.actor_id != author.actor_id:
        raise Forbidden("This action is not allowed")
    return article


async def _attach_media(article: models.Article, status_id: int) -> list[models.MediaAttachment]:
    ids = article.media_ids
    if not ids:
        return []
    for position, media_id in enumerate(ids):
        await models.MediaAttachment.filter(id=media_id, actor_id=article.actor_id).update(
            status_id=status_id, position=position
        )
    media = await models.MediaAttachment.filter(id__in=ids, actor_id=article.actor_id)
    return sorted(media, key=lambda m: ids.index(m.id))


async def _document(
    rt: Runtime, article: models.Article, status: models.Status, actor: models.Actor
) -> dict[str, object]:
    media = await models.MediaAttachment.filter(status_id=status.id).order_by("position", "id")
    cover = (
        await models.MediaAttachment.get_or_none(id=article.cover_id, actor_id=actor.id)
        if article.cover_id
        else None
    )
    return documents.build(rt, article, status, actor, media, cover)


async def _new_status(rt: Runtime, article: models.Article, actor: models.Actor) -> models.Status:
    """The status of a post being published (inside the caller's transaction), its deliveries
    queued."""
    status_id = new_id()
    now = datetime.now(UTC)
    uri = rt.urls.status(actor.username, status_id)
    status = await models.Status.create(
        id=status_id,
        uri=uri,
        url=documents.page_url(rt, article),
        actor=actor,
        local=True,
        object_type="Article",
        visibility=article.visibility,
        name=article.title,
        content=documents.status_content(rt, article),
        source=article.body,
        summary="",
        language=article.language,
        conversation_uri=uri,
        published=now,
    )
    status.actor = actor
    for name in article.tags:
        await models.StatusTag.create(status=status, name=name[:255])
    await _attach_media(article, status.id)
    article.status_id = status.id
    status.document = await _document(rt, article, status, actor)
    await status.save(update_fields=["document"])
    recipients = await statuses.recipients_of(status, [])
    if recipients:
        await publish.publish(rt, actor, await activities.create(rt, status), recipients)
    return status


async def publish_article(rt: Runtime, author: models.User, article_id: int) -> models.Article:
    """Publish a draft (a published post is returned as it is)."""
    article = await own_article(author, article_id)
    if not article.draft:
        return article
    actor = await models.Actor.get(id=article.actor_id)
    if actor.moved_to_id is not None:
        raise Forbidden("this account has moved: post from the new one")
    files = [*article.media_ids, *([article.cover_id] if article.cover_id else [])]
    await _place_files(rt, files, draft=False, level=article.visibility)
    now = datetime.now(UTC)
    async with in_transaction():
        article.draft = False
        article.published_at = now
        status = await _new_status(rt, article, actor)
        await article.save()
    await counters.refresh_status_counts(actor.id)
    await events_hooks.status_changed(rt, events_hooks.CREATED, status)
    return article


async def edit(
    rt: Runtime, author: models.User, article_id: int, inp: ArticleInput
) -> models.Article:
    """Save a new version; a published post's followers get an Update (or, when the visibility
    crosses institution-only, a Delete and a new post)."""
    article = await own_article(author, article_id)
    actor = await models.Actor.get(id=article.actor_id)
    values = await _values(actor, inp)
    await _place_files(rt, _files_of(values), draft=article.draft, level=inp.visibility)
    now = datetime.now(UTC)
    old = await models.Status.get_or_none(id=article.status_id) if article.status_id else None
    if old is not None:
        old.actor = actor
    moved = old is not None and visibility.federates(old.visibility) != visibility.federates(
        inp.visibility
    )
    if moved and old is not None:
        await statuses.delete(rt, author, old.id)
    async with in_transaction():
        article.update_from_dict(values)
        article.version += 1
        article.edited_at = now if not article.draft else None
        await versions.record(article, now)
        status = old
        if old is not None and moved:
            status = await _new_status(rt, article, actor)
        elif old is not None:
            await _update_status(rt, article, old, actor, now)
        await article.save()
    if status is not None:
        change = events_hooks.CREATED if moved else events_hooks.EDITED
        await events_hooks.status_changed(rt, change, status)
    return article


async def _update_status(
    rt: Runtime,
    article: models.Article,
    status: models.Status,
    actor: models.Actor,
    now: datetime,
) -> None:
    status.name = article.title
    status.content = documents.status_content(rt, article)
    status.source = article.body
    status.language = article.language
    status.visibility = article.visibility
    status.edited_at = now
    await models.StatusTag.filter(status_id=status.id).delete()
    for name in article.tags:
        await models.StatusTag.create(status=status, name=name[:255])
    await (
        models.MediaAttachment.filter(status_id=status.id)
        .exclude(id__in=article.media_ids or [0])
        .update(status_id=None)
    )
    await _attach_media(article, status.id)
    status.document = await _document(rt, article, status, actor)
    await status.save()
    recipients = await statuses.recipients_of(status, [])
    if recipients:
        await publish.publish(rt, actor, await activities.update(rt, status), recipients)


async def delete(rt: Runtime, author: models.User, article_id: int) -> models.Article:
    """Delete a post (its status goes as any status does: a Delete to whoever got it)."""
    article = await own_article(author, article_id)
    if article.status_id is not None:
        status = await models.Status.get_or_none(id=article.status_id, deleted_at__isnull=True)
        if status is not None:
            await statuses.delete(rt, author, status.id)
    article.deleted_at = datetime.now(UTC)
    await article.save(update_fields=["deleted_at"])
    return article
