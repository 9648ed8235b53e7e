"""The fedihub Article entity (/api/fedihub/v1/articles): a knowledge post with its Markdown
source, its HTML, its counts (those of its status) and its author as a Mastodon Account.
Its schema is knowledge/openapi.py's `Article`; tests validate real responses against it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedihub import models
from fedihub.api.entities.account import account
from fedihub.api.entities.common import iso
from fedihub.api.entities.status import media_attachment
from fedihub.runtime import Runtime


async def articles(rt: Runtime, items: Sequence[models.Article]) -> list[dict[str, Any]]:
    """Entities of articles the caller checked the viewer may see (a constant number of queries)."""
    if not items:
        return []
    actors = {a.id: a for a in await models.Actor.filter(id__in={i.actor_id for i in items})}
    status_ids = [i.status_id for i in items if i.status_id is not None]
    statuses = (
        {s.id: s for s in await models.Status.filter(id__in=status_ids)} if status_ids else {}
    )
    media_ids = {m for i in items for m in i.media_ids} | {i.cover_id for i in items if i.cover_id}
    media = (
        {m.id: m for m in await models.MediaAttachment.filter(id__in=media_ids)}
        if media_ids
        else {}
    )

    def build(article: models.Article) -> dict[str, Any]:
        status = statuses.get(article.status_id) if article.status_id else None
        cover = media.get(article.cover_id) if article.cover_id else None
        return {
            "id": str(article.id),
            "uri": status.uri if status else None,
            "url": status.url if status else None,
            "status_id": str(status.id) if status else None,
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "content": article.content,
            "tags": list(article.tags),
            "language": article.language,
            "license": article.license,
            "visibility": article.visibility.value,
            "draft": article.draft,
            "version": article.version,
            "created_at": iso(article.created_at),
            "published_at": iso(article.published_at),
            "edited_at": iso(article.edited_at),
            "account": account(rt, actors[article.actor_id]),
            "media_attachments": [
                media_attachment(rt, media[m]) for m in article.media_ids if m in media
            ],
            "cover": media_attachment(rt, cover) if cover else None,
            "replies_count": status.replies_count if status else 0,
            "favourites_count": status.favourites_count if status else 0,
            "reblogs_count": status.reblogs_count if status else 0,
            "local": article.local,
        }

    return [build(a) for a in items]


async def article(rt: Runtime, item: models.Article) -> dict[str, Any]:
    (entity,) = await articles(rt, [item])
    return entity


def version_entity(
    version: models.ArticleVersion,
    *,
    diff: str | None = None,
    title_change: tuple[str, str] | None = None,
    summary_change: tuple[str, str] | None = None,
    full: bool = False,
) -> dict[str, Any]:
    """A version in a list (number, title, date), or whole with what changed (`full`)."""
    entity: dict[str, Any] = {
        "number": version.number,
        "title": version.title,
        "created_at": iso(version.created_at),
    }
    if full:
        entity.update(
            {
                "summary": version.summary,
                "body": version.body,
                "content": version.content,
                "diff": diff or "",
                "title_changed": list(title_change) if title_change else None,
                "summary_changed": list(summary_change) if summary_change else None,
            }
        )
    return entity
