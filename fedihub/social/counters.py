"""Denormalised counts on actors and statuses, recomputed from the rows they count (no drift)."""

from __future__ import annotations

from fedihub import models
from fedihub.models import FollowState


async def refresh_follow_counts(*actor_ids: int) -> None:
    for actor_id in set(actor_ids):
        followers = await models.Follow.filter(target_id=actor_id, state=FollowState.ACCEPTED).count()
        following = await models.Follow.filter(follower_id=actor_id, state=FollowState.ACCEPTED).count()
        await models.Actor.filter(id=actor_id).update(followers_count=followers, following_count=following)


async def refresh_status_counts(actor_id: int) -> None:
    count = await models.Status.filter(actor_id=actor_id, deleted_at__isnull=True, reblog_of_id__isnull=True).count()
    latest = (
        await models.Status.filter(actor_id=actor_id, deleted_at__isnull=True)
        .order_by("-id")
        .first()
        .values_list("published", flat=True)
    )
    await models.Actor.filter(id=actor_id).update(statuses_count=count, last_status_at=latest)


async def refresh_interaction_counts(status_id: int) -> None:
    favourites = await models.Favourite.filter(status_id=status_id).count()
    reblogs = await models.Status.filter(reblog_of_id=status_id, deleted_at__isnull=True).count()
    replies = await models.Status.filter(in_reply_to_id=status_id, deleted_at__isnull=True).count()
    await models.Status.filter(id=status_id).update(
        favourites_count=favourites, reblogs_count=reblogs, replies_count=replies
    )
