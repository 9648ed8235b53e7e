"""Mastodon 4.3's grouped notifications.

A favourite or boost of one status, or a follow, gets a group key when it is stored: the type, the
status, and the hour it came in, kept while notifications of the group keep coming within 12 hours
of the group's first hour (Mastodon's MAXIMUM_GROUP_SPAN_HOURS). Other types stay alone
(`ungrouped-<id>`). A page of groups takes the first `limit` distinct groups walking from the
cursor, each represented by its newest notification there, with the group's count and latest
accounts up to the page's newest notification, as Mastodon's `paginate_groups` and
`load_groups_data` do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import Tortoise
from tortoise.expressions import Q
from tortoise.functions import Count, Max, Min
from tortoise.queryset import QuerySet

from fedihub import models
from fedihub.ids import id_floor

GROUPABLE = ("favourite", "reblog", "follow")
MAX_SPAN_HOURS = 12
SAMPLE_ACCOUNTS = 8
_HOUR_MS = 3600 * 1000


def ungrouped(notification_id: int) -> str:
    return f"ungrouped-{notification_id}"


def shown_key(row: models.Notification, grouped_types: Sequence[str] = GROUPABLE) -> str:
    """The key a client sees: the stored one for a grouped type, else the notification's own."""
    if row.group_key and row.kind in grouped_types:
        return row.group_key
    return ungrouped(row.id)


async def key_for(recipient_id: int, kind: str, status_id: int | None, now_ms: int) -> str | None:
    """The group key of a new notification (None for a type never grouped)."""
    if kind not in GROUPABLE:
        return None
    prefix = f"{kind}-{status_id}" if kind != "follow" else kind
    bucket = now_ms // _HOUR_MS
    # a group's notifications all came after its bucket's hour began, and the bucket is reused
    # for 12 hours: the previous one, if any, is among the last 12 hours' notifications
    since = id_floor(now_ms - MAX_SPAN_HOURS * _HOUR_MS)
    previous = (
        await models.Notification.filter(
            recipient_id=recipient_id,
            id__gte=since,
            kind=kind,
            status_id=status_id,
            group_key__isnull=False,
        )
        .order_by("-id")
        .first()
        .values_list("group_key", flat=True)
    )
    if isinstance(previous, str):
        tail = previous.rpartition("-")[2]
        if tail.isdigit() and bucket < int(tail) + MAX_SPAN_HOURS:
            bucket = int(tail)
    return f"{prefix}-{bucket}"


@dataclass
class Group:
    key: str
    notification: models.Notification  # the group's newest in the page
    count: int
    sample_account_ids: list[int]
    page_min_id: int
    page_max_id: int
    latest_at: datetime


@dataclass(frozen=True)
class Cursor:
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None


def _grouped_q(grouped_types: Sequence[str]) -> Q:
    return Q(group_key__isnull=False) & Q(kind__in=list(grouped_types))


async def page(
    query: QuerySet[models.Notification],
    limit: int,
    cursor: Cursor = Cursor(),
    grouped_types: Sequence[str] = GROUPABLE,
) -> list[Group]:
    """The first `limit` groups of `query` (one recipient's, filtered) from the cursor, newest
    first; with `min_id`, the oldest `limit` groups after it."""
    if cursor.max_id is not None:
        query = query.filter(id__lt=cursor.max_id)
    if cursor.since_id is not None:
        query = query.filter(id__gt=cursor.since_id)
    ascending = cursor.min_id is not None
    if ascending:
        query = query.filter(id__gt=cursor.min_id)
    grouped_types = [t for t in grouped_types if t in GROUPABLE]
    # a group's leader is its newest notification in range (its oldest when paging forward): the
    # first `limit` groups met walking the range are those with the first `limit` leaders
    lone_q = ~_grouped_q(grouped_types) if grouped_types else Q()
    lone = await models.column(
        query.filter(lone_q)
        .order_by("id" if ascending else "-id")
        .limit(limit)
        .values_list("id", flat=True)
    )
    leaders: list[int] = [int(i) for i in lone]
    if grouped_types:
        edge = Min("id") if ascending else Max("id")
        rows = (
            await query.filter(_grouped_q(grouped_types))
            .annotate(edge=edge)
            .group_by("group_key")
            .order_by("edge" if ascending else "-edge")
            .limit(limit)
            .values("group_key", "edge")
        )
        leaders += [int(r["edge"]) for r in rows]
    leaders = sorted(leaders, reverse=not ascending)[:limit]
    if ascending:
        # the groups' newest notifications within the forward page, as their leaders
        top = max(leaders, default=0)
        found = await models.Notification.filter(id__in=leaders)
        keys = {shown_key(n, grouped_types) for n in found}
        grouped_keys = [k for k in keys if not k.startswith("ungrouped-")]
        if grouped_keys:
            newest = (
                await query.filter(group_key__in=grouped_keys, id__lte=top)
                .annotate(edge=Max("id"))
                .group_by("group_key")
                .values("group_key", "edge")
            )
            by_key = {r["group_key"]: int(r["edge"]) for r in newest}
            leaders = [by_key.get(n.group_key or "", n.id) for n in found]
        leaders = sorted(set(leaders), reverse=True)
    bounds = None
    if leaders and len(leaders) < limit:
        # the last page: its groups reach to the end of the range (Mastodon's incomplete page)
        if ascending:
            top = cursor.max_id - 1 if cursor.max_id is not None else 2**63 - 1
            bounds = (min(leaders), top)
        else:
            bounds = ((cursor.since_id or 0) + 1, max(leaders))
    return await describe(leaders, grouped_types, bounds)


async def describe(
    leader_ids: list[int], grouped_types: Sequence[str], bounds: tuple[int, int] | None = None
) -> list[Group]:
    """Groups for their leading notifications (newest first), with counts and samples up to the
    newest of them and page bounds down to the oldest (or within `bounds`)."""
    if not leader_ids:
        return []
    rows = {n.id: n for n in await models.Notification.filter(id__in=leader_ids)}
    leaders = [rows[i] for i in leader_ids if i in rows]
    if not leaders:
        return []
    begin, end = bounds or (min(leader_ids), max(leader_ids))
    keys = sorted({n.group_key for n in leaders if shown_key(n, grouped_types) == n.group_key})
    counts: dict[str, int] = {}
    lows: dict[str, int] = {}
    samples: dict[str, list[int]] = {}
    if keys:
        recipient_id = leaders[0].recipient_id
        scope = models.Notification.filter(
            recipient_id=recipient_id, group_key__in=keys, id__lte=end, filtered=False
        )
        for r in await scope.annotate(n=Count("id")).group_by("group_key").values("group_key", "n"):
            counts[r["group_key"]] = int(r["n"])
        in_page = scope.filter(id__gte=begin).annotate(low=Min("id")).group_by("group_key")
        for r in await in_page.values("group_key", "low"):
            lows[r["group_key"]] = int(r["low"])
        samples = await _samples(recipient_id, keys, end)
    out = []
    for n in leaders:
        key = shown_key(n, grouped_types)
        grouped = key == n.group_key
        out.append(
            Group(
                key=key,
                notification=n,
                count=counts.get(key, 1) if grouped else 1,
                sample_account_ids=samples.get(key, [n.from_actor_id])
                if grouped
                else [n.from_actor_id],
                page_min_id=lows.get(key, n.id) if grouped else n.id,
                page_max_id=n.id,
                latest_at=n.created_at,
            )
        )
    return out


async def one(recipient_id: int, key: str, include_filtered: bool = False) -> Group | None:
    """The whole group of `key` (Mastodon's GET /api/v2/notifications/:group_key)."""
    scope = members(recipient_id, key)
    if not include_filtered:
        scope = scope.filter(filtered=False)
    newest = await scope.order_by("-id").first()
    if newest is None:
        return None
    groups = await describe([newest.id], GROUPABLE)
    return groups[0] if groups else None


async def _samples(recipient_id: int, keys: list[str], end: int) -> dict[str, list[int]]:
    """The senders of each group's latest SAMPLE_ACCOUNTS notifications up to `end`, in one
    statement (a window per group: a group of ten thousand favourites reads eight rows)."""
    conn = Tortoise.get_connection("default")
    postgres = conn.capabilities.dialect == "postgres"
    values: list[Any] = [recipient_id, end, SAMPLE_ACCOUNTS, *keys]

    def mark(i: int) -> str:
        return f"${i}" if postgres else "?"

    listed = ", ".join(mark(4 + i) for i in range(len(keys)))
    sql = (
        "SELECT group_key, from_actor_id FROM (SELECT group_key, from_actor_id, ROW_NUMBER() "
        "OVER (PARTITION BY group_key ORDER BY id DESC) AS place FROM notifications "
        f"WHERE recipient_id = {mark(1)} AND id <= {mark(2)} AND group_key IN ({listed})) "
        f"AS latest WHERE place <= {mark(3)} ORDER BY group_key, place"
    )
    # parameters in statement order (SQLite's `?` are positional): the limit comes last there
    if not postgres:
        values = [recipient_id, end, *keys, SAMPLE_ACCOUNTS]
    out: dict[str, list[int]] = {}
    for row in await conn.execute_query_dict(sql, values):
        ids = out.setdefault(str(row["group_key"]), [])
        if int(row["from_actor_id"]) not in ids:
            ids.append(int(row["from_actor_id"]))
    return out


def members(recipient_id: int, key: str) -> QuerySet[models.Notification]:
    """The notifications of a group (by a key a client was shown)."""
    base = models.Notification.filter(recipient_id=recipient_id)
    if key.startswith("ungrouped-"):
        tail = key.removeprefix("ungrouped-")
        return base.filter(id=int(tail) if tail.isdigit() and len(tail) < 20 else -1)
    return base.filter(group_key=key)


async def unread_groups(
    query: QuerySet[models.Notification],
    last_read_id: int | None,
    limit: int,
    grouped_types: Sequence[str] = GROUPABLE,
) -> int:
    """How many groups hold notifications newer than `last_read_id`, counting up to `limit`."""
    if last_read_id is not None:
        query = query.filter(id__gt=last_read_id)
    if not grouped_types:
        return await query.limit(limit).count()
    lone = await query.filter(~_grouped_q(grouped_types)).limit(limit).count()
    keys = await (
        query.filter(_grouped_q(grouped_types))
        .annotate(n=Count("id"))
        .group_by("group_key")
        .limit(limit)
        .values_list("group_key", flat=True)
    )
    return min(lone + len(keys), limit)
