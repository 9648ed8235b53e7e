"""Versions of a knowledge post: every save keeps one, numbered from 1, and a reader can open any
of them with what changed since the one before (a unified diff of the Markdown, and the title
and summary when they changed). Old versions are served at stable URLs (FEP-bad1's history)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from fedihub import models

MAX_DIFF_LINES = 5000  # a diff longer than this is cut (the versions themselves stay whole)


async def record(article: models.Article, at: datetime) -> models.ArticleVersion:
    """Keep the article as it is now as its version `article.version`."""
    return await models.ArticleVersion.create(
        article_id=article.id,
        number=article.version,
        title=article.title,
        summary=article.summary,
        body=article.body,
        content=article.content,
        created_at=at,
    )


@dataclass(frozen=True)
class Change:
    """What changed from the version before (None for version 1)."""

    title: tuple[str, str] | None
    summary: tuple[str, str] | None
    body_diff: str


def diff(before: models.ArticleVersion | None, after: models.ArticleVersion) -> Change:
    if before is None:
        lines = difflib.unified_diff(
            [], after.body.splitlines(), "empty", f"version {after.number}", lineterm=""
        )
        return Change(None, None, "\n".join(list(lines)[:MAX_DIFF_LINES]))
    lines = difflib.unified_diff(
        before.body.splitlines(),
        after.body.splitlines(),
        f"version {before.number}",
        f"version {after.number}",
        lineterm="",
    )
    return Change(
        (before.title, after.title) if before.title != after.title else None,
        (before.summary, after.summary) if before.summary != after.summary else None,
        "\n".join(list(lines)[:MAX_DIFF_LINES]),
    )


async def listing(article: models.Article) -> list[models.ArticleVersion]:
    return await models.ArticleVersion.filter(article_id=article.id).order_by("number")


async def one(
    article: models.Article, number: int
) -> tuple[models.ArticleVersion, models.ArticleVersion | None] | None:
    """Version `number` and the one before it; None when there is no such version."""
    rows = await models.ArticleVersion.filter(
        article_id=article.id, number__in=[number - 1, number]
    )
    by = {v.number: v for v in rows}
    if number not in by:
        return None
    return by[number], by.get(number - 1)
