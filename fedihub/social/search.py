"""Search: accounts (local by prefix, remote by address, resolved on request), statuses (by URL,
resolved on request, or by words among public and unlisted statuses, leaving out those of accounts
that block the viewer or that the viewer blocks or mutes), hashtags."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from fedihub import models
from fedihub.accounts import resolver
from fedihub.errors import FedihubError
from fedihub.models import FollowState, Visibility
from fedihub.moderation import policy
from fedihub.runtime import Runtime
from fedihub.social import remote, timelines, visibility


async def accounts(
    rt: Runtime,
    viewer: models.Actor | None,
    query: str,
    *,
    resolve: bool = False,
    limit: int = 40,
    offset: int = 0,
    following: bool = False,
) -> list[models.Actor]:
    text = query.strip().removeprefix("acct:").lstrip("@")
    if not text:
        return []
    if text.startswith(("https://", "http://")):
        found = await models.Actor.filter(Q(uri=text) | Q(url=text), deleted_at=None).first()
        if found is None and resolve:
            try:
                found = await resolver.fetch_actor(rt, text)
            except FedihubError:
                found = None
        return [found] if found is not None and offset == 0 else []
    if "@" in text:
        username, _, domain = text.partition("@")
        domain = domain.lower()
        local = not domain or domain == rt.urls.domain
        actor = await models.Actor.filter(
            username__iexact=username, domain=None if local else domain, deleted_at=None
        ).first()
        if actor is None and resolve and not local:
            try:
                actor = await resolver.resolve_account(rt, text)
            except FedihubError:  # unknown, unreachable or refused: an empty result, as Mastodon
                actor = None
        return [actor] if actor is not None and offset == 0 else []
    # a bare word searches this node's people; other servers' accounts are found by address
    rows = models.Actor.filter(
        Q(username__istartswith=text) | Q(display_name__istartswith=text),
        domain=None,
        deleted_at=None,
        actor_type__not="Application",
    )
    if following and viewer is not None:
        rows = rows.filter(
            id__in=Subquery(
                models.Follow.filter(follower_id=viewer.id, state=FollowState.ACCEPTED).values(
                    "target_id"
                )
            )
        )
    return list(await rows.order_by("username").offset(offset).limit(limit))


async def statuses(
    rt: Runtime,
    viewer: models.Actor | None,
    query: str,
    *,
    resolve: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> list[models.Status]:
    text = query.strip()
    if text.startswith(("https://", "http://")):
        found = await models.Status.filter(
            Q(uri=text) | Q(url=text), deleted_at__isnull=True
        ).first()
        if found is None and resolve and viewer is not None:
            try:
                found = await remote.fetch_status(rt, text, remote.FetchBudget(left=4))
            except FedihubError:
                found = None
        if found is not None and await visibility.can_see(viewer, found) and offset == 0:
            return [found]
        return []
    if viewer is None or len(text) < 2:
        return []
    rows = (
        await models.Status.filter(
            content__icontains=text,
            deleted_at__isnull=True,
            reblog_of_id__isnull=True,
            visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED],
            # people who did not opt in to full-text search are found by address only
            actor__indexable=True,
        )
        .exclude(timelines.hidden_from(viewer.id))
        .exclude(policy.silenced_authors(viewer.id))
        .order_by("-id")
        .offset(offset)
        .limit(limit)
    )
    return list(rows)


async def hashtags(query: str, *, limit: int = 20) -> list[str]:
    text = query.strip().lstrip("#").lower()
    if not text:
        return []
    names = (
        models.StatusTag.filter(name__startswith=text)
        .distinct()
        .order_by("name")
        .limit(limit)
        .values_list("name", flat=True)
    )
    return [str(name) for name in await models.column(names)]
