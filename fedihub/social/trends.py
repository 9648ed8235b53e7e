"""Trends: the hashtags and statuses taking off on this node, computed by a periodic task and
stored.

Only what anyone may see in the public timelines counts (visibility.listed): unlisted,
followers-only, direct and institution-only statuses never do, nor deleted statuses or boosts.

Hashtags are scored by people, not posts. `observed` is the number of distinct accounts that used
a tag in the last 24 hours; `expected` the average number of distinct accounts a day over the six
days before (at least 1). A tag trends when observed exceeds expected and at least
TAG_MIN_ACCOUNTS accounts used it (so one account posting a tag a hundred times makes no trend);
its score is (observed - expected)² / expected, the measure Mastodon's Trends::Tags uses.

Statuses are public statuses of the last 24 hours, scored by their favourites plus boosts from
accounts other than their author, at least STATUS_MIN_INTERACTIONS; ties go to the newer status.
As on Mastodon, replies, sensitive or content-warned statuses and statuses of accounts that opted
out of discovery are left out.

`refresh` replaces both stored lists in one transaction; the API only reads them (`tags`,
`statuses`), so every web process answers the same list until the next refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.ids import id_floor
from fedihub.models import Visibility
from fedihub.moderation import policy
from fedihub.runtime import Runtime
from fedihub.social import timelines, visibility

TAG_MIN_ACCOUNTS = 3
STATUS_MIN_INTERACTIONS = 3
MAX_STORED_TAGS = 100
MAX_STORED_STATUSES = 200
NAMED_USAGE_MAX = 20  # histories of at most this many tags read only those tags' rows
HISTORY_DAYS = 7
BASELINE_DAYS = 6
DAY = timedelta(days=1)
ID_SLACK = timedelta(hours=1)  # how far a status's id time may stray from its `published`

_LISTED = [level for level in Visibility if visibility.listed(level)]


@dataclass(frozen=True)
class TagTrend:
    name: str
    score: float
    observed: int  # distinct accounts in the last 24 hours
    expected: float  # average distinct accounts a day over the six days before


@dataclass(frozen=True)
class StatusTrend:
    status_id: int
    score: float


def _id_at(at: datetime) -> int:
    return id_floor(int(at.timestamp() * 1000))


def _public(start: datetime, end: datetime) -> QuerySet[models.Status]:
    """Statuses published in [start, end) that anyone sees in the public timelines."""
    # an id carries the time its status was stored or published, whichever came first, so an id
    # range (with slack for the moments between the two) lets the database walk the primary key
    # instead of every status; `published` then decides exactly
    return models.Status.filter(
        id__gte=_id_at(start - ID_SLACK),
        id__lt=_id_at(end + ID_SLACK),
        published__gte=start,
        published__lt=end,
        visibility__in=_LISTED,
        deleted_at__isnull=True,
        actor__deleted_at__isnull=True,
    ).exclude(policy.silenced_authors())


def _counted_tags(start: datetime, end: datetime) -> QuerySet[models.StatusTag]:
    # boosts carry no tags of their own, so they need no exclusion here
    public = Subquery(_public(start, end).values("id"))
    return models.StatusTag.filter(status_id__gte=_id_at(start - ID_SLACK), status_id__in=public)


async def _usage(
    start: datetime, end: datetime, names: list[str] | None = None
) -> dict[str, tuple[int, int]]:
    """Per tag used in [start, end): (statuses, distinct accounts); only `names` when given."""
    # every tag of the window, filtered afterwards: `name IN (a thousand names)` makes SQLite walk
    # the name index through all time (1.3 s against 0.17 s for 100,000 statuses); a few names
    # (one tag's page, a page of followed tags) are read through that index instead
    counted = _counted_tags(start, end)
    if names is not None:
        counted = counted.filter(name__in=names)
    rows = (
        await counted.annotate(uses=Count("id"), accounts=Count("status__actor_id", distinct=True))
        .group_by("name")
        .values("name", "uses", "accounts")
    )
    return {str(row["name"]): (int(row["uses"]), int(row["accounts"])) for row in rows}


async def score_tags(now: datetime) -> list[TagTrend]:
    """Trending tags at `now`, best first."""
    recent = await _usage(now - DAY, now)
    candidates = [name for name, (_, accounts) in recent.items() if accounts >= TAG_MIN_ACCOUNTS]
    if not candidates:
        return []
    baseline: dict[str, int] = dict.fromkeys(candidates, 0)
    for days_back in range(1, BASELINE_DAYS + 1):
        end = now - days_back * DAY
        for name, (_, accounts) in (await _usage(end - DAY, end)).items():
            if name in baseline:
                baseline[name] += accounts
    found = []
    for name in candidates:
        observed = recent[name][1]
        expected = max(1.0, baseline[name] / BASELINE_DAYS)
        if observed > expected:
            found.append(TagTrend(name, (observed - expected) ** 2 / expected, observed, expected))
    found.sort(key=lambda t: (-t.score, -t.observed, t.name))
    return found[:MAX_STORED_TAGS]


def day_starts(now: datetime) -> list[datetime]:
    """UTC midnights of the last HISTORY_DAYS days, today first."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return [today - n * DAY for n in range(HISTORY_DAYS)]


async def histories(names: list[str], now: datetime) -> dict[str, list[dict[str, str]]]:
    """Mastodon's Tag.history for each name: a day's statuses and distinct accounts, newest
    first."""
    out: dict[str, list[dict[str, str]]] = {name: [] for name in names}
    if not names:
        return out
    named = names if len(names) <= NAMED_USAGE_MAX else None
    for start in day_starts(now):
        usage = await _usage(start, min(start + DAY, now), named)
        for name in names:
            uses, accounts = usage.get(name, (0, 0))
            out[name].append(
                {"day": str(int(start.timestamp())), "uses": str(uses), "accounts": str(accounts)}
            )
    return out


async def score_statuses(now: datetime) -> list[StatusTrend]:
    """Trending statuses at `now`, best first."""
    since = now - DAY
    eligible = Subquery(
        _public(since, now)
        .filter(
            reblog_of_id__isnull=True, in_reply_to_uri__isnull=True, sensitive=False, summary=""
        )
        .filter(actor__discoverable=True)
        .values("id")
    )
    # an interaction comes after its status, so it too was stored since `since`
    after = _id_at(since - ID_SLACK)
    favourites = await models.Favourite.filter(id__gte=after, status_id__in=eligible).values_list(
        "status_id", "actor_id"
    )
    boosts = await models.Status.filter(
        id__gte=after, reblog_of_id__in=eligible, deleted_at__isnull=True
    ).values_list("reblog_of_id", "actor_id")
    ids = {status_id for status_id, _ in [*favourites, *boosts]}
    if not ids:
        return []
    authors = dict(await models.Status.filter(id__in=ids).values_list("id", "actor_id"))
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    for status_id, actor_id in [*favourites, *boosts]:
        if actor_id != authors.get(status_id):  # self-favourites and self-boosts make no trend
            counts[status_id] += 1
    found = [
        StatusTrend(sid, float(n)) for sid, n in counts.items() if n >= STATUS_MIN_INTERACTIONS
    ]
    found.sort(key=lambda t: (-t.score, -t.status_id))
    return found[:MAX_STORED_STATUSES]


async def refresh_task(rt: Runtime) -> None:
    """The periodic task: recompute what /api/v1/trends serves from the database."""
    await refresh()


async def refresh(now: datetime | None = None) -> tuple[int, int]:
    """Recompute both lists and store them in place of the previous ones; returns their sizes."""
    at = now or datetime.now(UTC)
    tag_trends = await score_tags(at)
    history = await histories([t.name for t in tag_trends], at)
    status_trends = await score_statuses(at)
    async with in_transaction():
        await models.TrendingTag.all().delete()
        await models.TrendingTag.bulk_create(
            [
                models.TrendingTag(
                    name=t.name, rank=rank, score=t.score, history=history[t.name], computed_at=at
                )
                for rank, t in enumerate(tag_trends)
            ]
        )
        await models.TrendingStatus.all().delete()
        await models.TrendingStatus.bulk_create(
            [
                models.TrendingStatus(
                    status_id=t.status_id, rank=rank, score=t.score, computed_at=at
                )
                for rank, t in enumerate(status_trends)
            ]
        )
    return len(tag_trends), len(status_trends)


async def tags(*, offset: int, limit: int) -> list[models.TrendingTag]:
    """A page of the stored trending tags, best first."""
    return list(await models.TrendingTag.all().order_by("rank").offset(offset).limit(limit))


async def statuses(viewer: models.Actor | None, *, offset: int, limit: int) -> list[models.Status]:
    """A page of the stored trending statuses `viewer` may see in the public timeline, best first
    (deleted since the refresh, or by authors the viewer blocked or muted, or who blocked them:
    left out)."""
    shown = Subquery(timelines.public(viewer).values("id"))
    ids = await (
        models.TrendingStatus.filter(status_id__in=shown)
        .order_by("rank")
        .offset(offset)
        .limit(limit)
        .values_list("status_id", flat=True)
    )
    by_id = {s.id: s for s in await models.Status.filter(id__in=ids)}
    return [by_id[i] for i in ids if i in by_id]
