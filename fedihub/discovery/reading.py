"""What to read: knowledge posts suggested to each local researcher, with the reasons in words;
computed in the background beside whom to follow (discovery/suggestions.py).

Signals: a post's tags among her research areas ("about catalysis, one of your research areas"),
its author followed by her or by people she follows, favourites from people she follows, and the
node's trending posts. Only public, published posts whose author allows search (a peer's author
must have said so) and that she has not written; nothing by people she blocks or mutes.
Requests re-check that she may still read each post.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.models import FollowState, Visibility

KEEP = 40
RECENT = timedelta(days=180)
MAX_CANDIDATES = 2000
WEIGHTS = {"areas": 3.0, "author_followed": 2.0, "favourited_by": 1.5, "trending": 1.0}


def _key(text: str) -> str:
    """A tag or research area compared without case, spaces, '#' or punctuation."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _ids(values: list[Any]) -> list[int]:
    return [int(v) for v in values if v is not None]


async def compute(viewer: models.Actor) -> list[models.ArticleSuggestion]:
    since = datetime.now(UTC) - RECENT
    hidden = set(
        _ids(await models.Block.filter(actor_id=viewer.id).values_list("target_id", flat=True))
    )
    hidden |= set(
        _ids(await models.Block.filter(target_id=viewer.id).values_list("actor_id", flat=True))
    )
    hidden |= set(
        _ids(await models.Mute.filter(actor_id=viewer.id).values_list("target_id", flat=True))
    )
    candidates = (
        await models.Article.filter(
            draft=False,
            deleted_at__isnull=True,
            visibility=Visibility.PUBLIC,
            indexable=True,
            status_id__not_isnull=True,
            published_at__gte=since,
        )
        .exclude(actor_id=viewer.id)
        .order_by("-published_at")
        .limit(MAX_CANDIDATES)
    )
    candidates = [a for a in candidates if a.actor_id not in hidden]
    if not candidates:
        await models.ArticleSuggestion.filter(viewer_id=viewer.id).delete()
        return []
    areas = {_key(str(a)): str(a) for a in viewer.research_areas or [] if _key(str(a))}
    followed = set(
        _ids(
            await models.Follow.filter(
                follower_id=viewer.id, state=FollowState.ACCEPTED
            ).values_list("target_id", flat=True)
        )
    )
    status_ids = [a.status_id for a in candidates if a.status_id is not None]
    favourites: Counter[int] = Counter()
    if followed:
        for status_id in await models.Favourite.filter(
            status_id__in=status_ids, actor_id__in=list(followed)
        ).values_list("status_id", flat=True):
            favourites[int(str(status_id))] += 1
    trending = {
        int(row[0]): int(row[1])
        for row in await models.TrendingArticle.filter(
            article_id__in=[a.id for a in candidates]
        ).values_list("article_id", "rank")
    }
    authors = {a.id: a for a in await models.Actor.filter(id__in={c.actor_id for c in candidates})}
    scored: dict[int, tuple[float, list[dict[str, object]]]] = {}
    for article in candidates:
        score = 0.0
        reasons: list[dict[str, object]] = []
        shared = [areas[_key(t)] for t in article.tags or [] if _key(str(t)) in areas]
        if shared:
            score += WEIGHTS["areas"] * len(shared)
            text = f"about {', '.join(shared)}, " + (
                "one of your research areas" if len(shared) == 1 else "among your research areas"
            )
            reasons.append({"kind": "areas", "text": text, "areas": shared})
        if article.actor_id in followed:
            author = authors.get(article.actor_id)
            name = (author.display_name or author.username) if author else "someone"
            score += WEIGHTS["author_followed"]
            reasons.append({"kind": "author_followed", "text": f"by {name}, whom you follow"})
        fans = favourites.get(article.status_id or 0, 0)
        if fans:
            score += WEIGHTS["favourited_by"] * min(fans, 5)
            people = "person" if fans == 1 else "people"
            reasons.append(
                {"kind": "favourited_by", "text": f"favourited by {fans} {people} you follow"}
            )
        if article.id in trending:
            score += WEIGHTS["trending"] / (1 + trending[article.id] / 10)
            reasons.append({"kind": "trending", "text": "trending on this node"})
        if reasons:
            scored[article.id] = (score, reasons)
    ranked = sorted(scored.items(), key=lambda item: (-item[1][0], -item[0]))[:KEEP]
    rows = [
        models.ArticleSuggestion(
            viewer_id=viewer.id, article_id=article_id, score=round(score, 4), reasons=reasons
        )
        for article_id, (score, reasons) in ranked
    ]
    async with in_transaction():
        await models.ArticleSuggestion.filter(viewer_id=viewer.id).delete()
        await models.ArticleSuggestion.bulk_create(rows)
    return rows


async def stored(viewer_id: int, *, limit: int) -> list[models.ArticleSuggestion]:
    return list(
        await models.ArticleSuggestion.filter(viewer_id=viewer_id)
        .order_by("-score", "-article_id")
        .limit(limit)
    )
