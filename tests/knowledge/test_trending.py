"""Trending knowledge posts: the reading-frequency model on a fixture with known read counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fedihub import models
from fedihub.accounts import users
from fedihub.knowledge import articles, trending
from fedihub.models import Visibility
from fedihub.runtime import Runtime


def test_more_reads_than_the_mean_rank_higher_and_recency_breaks_ties() -> None:
    now = datetime.now(UTC)
    reads = {1: 50, 2: 10, 3: 10, 4: 1}
    published = {1: now, 2: now, 3: now - timedelta(hours=12), 4: now}
    scores = trending.scores(reads, published, now)
    assert sorted(scores, key=lambda k: -scores[k]) == [1, 2, 3, 4]
    assert 0.5 < scores[1] < 1 and scores[4] < 0.5  # 1 / (1 + exp(-delta)) around the mean


async def test_refresh_ranks_public_posts_by_counted_reads(rt: Runtime) -> None:
    ada = await users.create(rt, "ada", "ada@uni.example", "correct horse battery")
    made = {}
    for title, level in (("few", "public"), ("many", "public"), ("inside", "institution")):
        inp = articles.ArticleInput(title=title, visibility=Visibility(level))
        made[title] = await articles.create(rt, ada, inp, draft=False)
    for title, count in (("few", 2), ("many", 9), ("inside", 30)):
        for _ in range(count):
            await trending.count_read(rt, made[title].id)
    assert not await models.ArticleReads.exists() or rt.article_reads  # batched, not per read
    await trending.refresh(rt)
    ranked = await trending.trending(0, 10)
    # institution-only posts never trend, however read
    assert [a.title for a in ranked] == ["many", "few"]
    total = sum(r.count for r in await models.ArticleReads.all())
    assert total == 41 and not rt.article_reads
