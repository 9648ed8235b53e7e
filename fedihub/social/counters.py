"""Denormalised counts on actors and statuses, recomputed from the rows they count (no drift)."""

from __future__ import annotations

from tortoise.connection import get_connection

from fedihub import models
from fedihub.models import FollowState


async def refresh_follow_counts(*actor_ids: int) -> None:
    for actor_id in set(actor_ids):
        followers = await models.Follow.filter(
            target_id=actor_id, state=FollowState.ACCEPTED
        ).count()
        following = await models.Follow.filter(
            follower_id=actor_id, state=FollowState.ACCEPTED
        ).count()
        await models.Actor.filter(id=actor_id).update(
            followers_count=followers, following_count=following
        )


async def refresh_status_counts(actor_id: int) -> None:
    # one statement, not a count, a read and an update: it runs for every status stored (tortoise
    # cannot set a column from a subquery, so it is written out; ?1 and $1 both name the one
    # parameter, on SQLite and PostgreSQL)
    conn = get_connection("default")
    p = "$1" if conn.capabilities.dialect == "postgres" else "?1"
    await conn.execute_query(
        "UPDATE actors SET "
        f"statuses_count = (SELECT COUNT(*) FROM statuses WHERE actor_id = {p} "
        "AND deleted_at IS NULL AND reblog_of_id IS NULL), "
        f"last_status_at = (SELECT published FROM statuses WHERE actor_id = {p} "
        f"AND deleted_at IS NULL ORDER BY id DESC LIMIT 1) WHERE id = {p}",
        [actor_id],
    )


async def refresh_interaction_counts(status_id: int) -> None:
    favourites = await models.Favourite.filter(status_id=status_id).count()
    reblogs = await models.Status.filter(reblog_of_id=status_id, deleted_at__isnull=True).count()
    replies = await models.Status.filter(in_reply_to_id=status_id, deleted_at__isnull=True).count()
    await models.Status.filter(id=status_id).update(
        favourites_count=favourites, reblogs_count=reblogs, replies_count=replies
    )
