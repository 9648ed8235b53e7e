"""Trending knowledge posts, by the reading-frequency model of the original design.

Reads are counted in memory (`count_read`: no database write per page view, and no reader kept)
and added to hourly rows in batches, at most once a minute per process. The refresh compares
each public post's reads in the window with the mean over the posts read in it:
`delta = (reads - mean) / spread` (spread: the standard deviation, at least 1),
`score = 1 / (1 + exp(-delta))`, times a recency factor `1 / (1 + age_days / RECENCY_DAYS)`;
the ranked list is stored whole, as status trends are.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.models import Visibility
from fedihub.runtime import Runtime

WINDOW = timedelta(hours=48)
RECENCY_DAYS = 3.0
MAX_TRENDING = 40
FLUSH_EVERY_S = 60
REFRESH_EVERY_S = 900


async def count_read(rt: Runtime, article_id: int) -> None:
    """One read of a published post, in memory; every FLUSH_EVERY_S the reads this process
    counted are written in one batch (each process holds its own counts, so each flushes its own:
    a periodic task runs on one worker only)."""
    rt.article_reads[article_id] += 1
    if time.monotonic() - rt.article_reads_flushed_at >= FLUSH_EVERY_S:
        await flush(rt)


async def flush(rt: Runtime) -> None:
    """Add the reads counted in this process to the current hour's rows."""
    rt.article_reads_flushed_at = time.monotonic()
    pending, rt.article_reads = rt.article_reads, type(rt.article_reads)()
    if not pending:
        return
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for article_id, count in pending.items():
        row, made = await models.ArticleReads.get_or_create(
            article_id=article_id, hour=hour, defaults={"count": count}
        )
        if not made:
            await models.ArticleReads.filter(id=row.id).update(count=F("count") + count)


def scores(
    reads: Mapping[int, int], published: Mapping[int, datetime], now: datetime
) -> dict[int, float]:
    """The trending score of each read post (the model in the module docstring)."""
    if not reads:
        return {}
    values = list(reads.values())
    mean = sum(values) / len(values)
    spread = max(1.0, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)))
    out = {}
    for article_id, count in reads.items():
        delta = (count - mean) / spread
        age_days = max(0.0, (now - published[article_id]).total_seconds() / 86400)
        out[article_id] = (1 / (1 + math.exp(-delta))) / (1 + age_days / RECENCY_DAYS)
    return out


async def refresh(rt: Runtime) -> None:
    """Rank the public posts read in the window and store the list (the periodic task)."""
    await flush(rt)
    now = datetime.now(UTC)
    reads: dict[int, int] = {}
    for row in await models.ArticleReads.filter(hour__gte=now - WINDOW):
        reads[row.article_id] = reads.get(row.article_id, 0) + row.count
    listed = await models.Article.filter(
        id__in=list(reads) or [0],
        draft=False,
        deleted_at__isnull=True,
        visibility=Visibility.PUBLIC,
        indexable=True,
    )
    published = {a.id: a.published_at or a.created_at for a in listed}
    ranked = sorted(
        scores({k: v for k, v in reads.items() if k in published}, published, now).items(),
        key=lambda item: (-item[1], -item[0]),
    )[:MAX_TRENDING]
    async with in_transaction():
        await models.TrendingArticle.all().delete()
        for rank, (article_id, score) in enumerate(ranked):
            await models.TrendingArticle.create(
                article_id=article_id, rank=rank, score=score, computed_at=now
            )
    await models.ArticleReads.filter(hour__lt=now - WINDOW).delete()


async def trending(offset: int, limit: int) -> list[models.Article]:
    """The stored list, best first (still published and public)."""
    rows = await models.TrendingArticle.all().order_by("rank").offset(offset).limit(limit)
    ids = [r.article_id for r in rows]
    found = {
        a.id: a
        for a in await models.Article.filter(
            id__in=ids or [0], deleted_at__isnull=True, visibility=Visibility.PUBLIC, draft=False
        )
    }
    return [found[i] for i in ids if i in found]
