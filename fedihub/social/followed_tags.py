"""Followed hashtags: following and unfollowing a tag, and who follows the tags of a status.

A tag is its lower-cased name (as StatusTag keeps it); a name is valid when it would be read as a
hashtag in a post (text.hashtags), else Mastodon answers 404. Public statuses carrying a followed
tag reach the follower's home timeline (timelines.home) and home stream (api/stream_events.py);
unfollowing takes them out again, since home is read at request time.
"""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.exceptions import IntegrityError

from fedihub import models
from fedihub.errors import NotFound
from fedihub.social import text


def normalize(raw: str) -> str:
    """The tag's stored name; NotFound ("Record not found") when it is no hashtag."""
    name = raw.strip().removeprefix("#")
    found = text.hashtags("#" + name)
    if found != [name.lower()]:
        raise NotFound("Record not found")
    return found[0]


async def follow(actor: models.Actor, name: str) -> None:
    try:
        await models.FollowedTag.get_or_create(actor_id=actor.id, name=name)
    except IntegrityError:  # a concurrent follow of the same tag made it
        pass


async def unfollow(actor: models.Actor, name: str) -> None:
    await models.FollowedTag.filter(actor_id=actor.id, name=name).delete()


async def following(actor: models.Actor, names: Iterable[str]) -> set[str]:
    """Which of `names` the actor follows."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return set()
    rows = models.FollowedTag.filter(actor_id=actor.id, name__in=wanted)
    return {str(name) for (name,) in await rows.values_list("name")}


async def local_followers(names: Iterable[str]) -> set[int]:
    """Local actors following any of these tags."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return set()
    rows = models.FollowedTag.filter(name__in=wanted, actor__domain__isnull=True)
    return {int(i) for (i,) in await rows.values_list("actor_id")}
