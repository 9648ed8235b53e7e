"""A user's own domain blocks (Mastodon's /api/v1/domain_blocks): the user no longer sees the
server's accounts (timelines, search and interactions leave them out through
social/timelines.hidden_from), and the server's accounts stop following the user, as on
Mastodon. At most MAX_BLOCKS a user."""

from __future__ import annotations

from tortoise.expressions import Subquery

from fedihub import models
from fedihub.errors import Invalid
from fedihub.moderation import domains, policy
from fedihub.runtime import Runtime
from fedihub.social import counters

MAX_BLOCKS = 10_000


async def block(rt: Runtime, user: models.User, raw_domain: str) -> str:
    domain = domains.checked_domain(rt, raw_domain)
    if await models.UserDomainBlock.filter(actor_id=user.actor_id).count() >= MAX_BLOCKS:
        raise Invalid(f"at most {MAX_BLOCKS} domain blocks", field="domain")
    await models.UserDomainBlock.get_or_create(actor_id=user.actor_id, domain=domain)
    theirs = Subquery(models.Actor.filter(domain=domain).values("id"))
    removed = await models.Follow.filter(target_id=user.actor_id, follower_id__in=theirs).delete()
    if removed:
        await counters.refresh_follow_counts(user.actor_id)
    return domain


async def unblock(user: models.User, raw_domain: str) -> None:
    domain = policy.normalise(raw_domain or "")
    await models.UserDomainBlock.filter(actor_id=user.actor_id, domain=domain).delete()


__all__ = ["MAX_BLOCKS", "block", "unblock"]
