"""Timelines as queries (newest first by id, which is time-ordered): home, public, tag, account.

Home is read by joining the viewer's follows at read time rather than written into per-user lists
at post time: one post by a researcher with 10,000 followers costs one row, and a page is one
indexed query. What may appear in each list is decided with visibility.py's levels.
"""

from __future__ import annotations

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from fedihub import models
from fedihub.activitypub.vocabulary import STATUS_TYPES
from fedihub.models import FollowState, Visibility

SHOWN_TYPES = [*STATUS_TYPES, "Announce"]
_FOLLOWER_LEVELS = [Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE, Visibility.INSTITUTION]


def _live() -> QuerySet[models.Status]:
    return models.Status.filter(deleted_at__isnull=True, object_type__in=SHOWN_TYPES)


def _hidden_from(viewer: models.Actor) -> Q:
    """Authors the viewer blocked or muted, and those who blocked the viewer."""
    blocked = Subquery(models.Block.filter(actor_id=viewer.id).values("target_id"))
    blockers = Subquery(models.Block.filter(target_id=viewer.id).values("actor_id"))
    muted = Subquery(models.Mute.filter(actor_id=viewer.id).values("target_id"))
    return Q(actor_id__in=blocked) | Q(actor_id__in=blockers) | Q(actor_id__in=muted)


def home(viewer: models.Actor) -> QuerySet[models.Status]:
    followed = Subquery(
        models.Follow.filter(follower_id=viewer.id, state=FollowState.ACCEPTED).values("target_id")
    )
    mentioning = Subquery(models.Mention.filter(actor_id=viewer.id).values("status_id"))
    return _live().filter(
        Q(actor_id=viewer.id)
        | Q(actor_id__in=followed, visibility__in=_FOLLOWER_LEVELS)
        | Q(id__in=mentioning)
    ).exclude(_hidden_from(viewer))


def public(viewer: models.Actor | None, *, local: bool = False, remote: bool = False) -> QuerySet[models.Status]:
    query = _live().filter(visibility=Visibility.PUBLIC, reblog_of_id__isnull=True)
    if local:
        query = query.filter(local=True)
    elif remote:
        query = query.filter(local=False)
    if viewer is not None:
        query = query.exclude(_hidden_from(viewer))
    return query


def tag(viewer: models.Actor | None, name: str, *, local: bool = False) -> QuerySet[models.Status]:
    tagged = Subquery(models.StatusTag.filter(name=name.lower().lstrip("#")).values("status_id"))
    return public(viewer, local=local).filter(id__in=tagged)


async def account(viewer: models.Actor | None, author: models.Actor) -> QuerySet[models.Status]:
    """What `viewer` may see of `author`'s statuses."""
    levels = [Visibility.PUBLIC, Visibility.UNLISTED]
    if viewer is not None:
        if viewer.id == author.id:
            levels = list(Visibility)
        else:
            if await models.Block.filter(actor_id=author.id, target_id=viewer.id).exists():
                return models.Status.filter(id=-1)
            if await models.Follow.filter(follower_id=viewer.id, target_id=author.id, state=FollowState.ACCEPTED).exists():
                levels.append(Visibility.PRIVATE)
            if viewer.domain is None:
                levels.append(Visibility.INSTITUTION)
    query = _live().filter(actor_id=author.id)
    if viewer is not None and viewer.id != author.id:
        mentioning = Subquery(models.Mention.filter(actor_id=viewer.id).values("status_id"))
        return query.filter(Q(visibility__in=levels) | Q(id__in=mentioning))
    return query.filter(visibility__in=levels)


def direct(viewer: models.Actor) -> QuerySet[models.Status]:
    mentioning = Subquery(models.Mention.filter(actor_id=viewer.id).values("status_id"))
    return _live().filter(visibility=Visibility.DIRECT).filter(Q(actor_id=viewer.id) | Q(id__in=mentioning))
