"""The recipient's notification policy (Mastodon 4.3's v2 policy) and the requests that hold what
it filtered.

Each of five conditions on the sender (not followed by the recipient, not following them for three
days, an account younger than 30 days, a private mention out of the blue, an account limited by a
moderator) says accept, filter or drop. A drop stores nothing; a filter stores the notification
aside, under a request per sender, until the recipient accepts (the notifications join the list
and the sender passes from then on) or dismisses it (they are deleted). Only the types Mastodon
marks filterable are ever filtered: mentions, boosts, follows, follow requests and favourites.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from fedihub import models

Verdict = Literal["accept", "filter", "drop"]
VERDICTS: tuple[Verdict, ...] = ("accept", "filter", "drop")
FIELDS = (
    "for_not_following",
    "for_not_followers",
    "for_new_accounts",
    "for_private_mentions",
    "for_limited_accounts",
)
FILTERABLE = frozenset({"mention", "reblog", "follow", "follow_request", "favourite"})
NEW_ACCOUNT = timedelta(days=30)
RECENT_FOLLOWER = timedelta(days=3)
SUMMARY_CAP = 100


async def of(actor_id: int) -> models.NotificationPolicy:
    """The actor's policy (Mastodon's defaults until they change it)."""
    found = await models.NotificationPolicy.get_or_none(actor_id=actor_id)
    return found or models.NotificationPolicy(actor_id=actor_id)


async def change(actor_id: int, values: dict[str, Verdict]) -> models.NotificationPolicy:
    policy = await of(actor_id)
    for name, value in values.items():
        setattr(policy, name, value)
    try:
        await policy.save()
    except IntegrityError:  # another request stored the first row meanwhile: change that one
        policy = await models.NotificationPolicy.get(actor_id=actor_id)
        for name, value in values.items():
            setattr(policy, name, value)
        await policy.save()
    return policy


@dataclass(frozen=True)
class Summary:
    pending_requests: int
    pending_notifications: int


async def summary(actor_id: int) -> Summary:
    requests = models.NotificationRequest.filter(recipient_id=actor_id)
    count = await requests.limit(SUMMARY_CAP).count()
    held = await models.Notification.filter(recipient_id=actor_id, filtered=True).count()
    return Summary(count, held)


# local actors that are the node's own voice rather than a person's
NODE_VOICES = ("Application", "Group")


async def verdict(
    recipient: models.Actor,
    kind: str,
    sender: models.Actor,
    status: models.Status | None,
) -> Verdict:
    """What the recipient's policy does with a notification from `sender`: the strictest answer
    of the conditions that hold, drop before filter."""
    if kind not in FILTERABLE:
        return "accept"
    if sender.domain is None and sender.actor_type in NODE_VOICES:
        # the node itself speaking (a report's outcome from the instance actor, an invitation
        # or a task from one of its projects): never held back as a stranger's message
        return "accept"
    if sender.actor_type == "Group" and await _project_speaking_to_its_own(sender, recipient):
        return "accept"
    if await models.NotificationPermission.filter(
        recipient_id=recipient.id, from_actor_id=sender.id
    ).exists():
        return "accept"
    policy = await of(recipient.id)
    answers = {getattr(policy, name) for name in FIELDS if name != "for_limited_accounts"}
    if answers == {"accept"}:
        return "accept"  # the common case costs one query (or two with a stored policy)
    following = await models.Follow.filter(
        follower_id=recipient.id, target_id=sender.id, state=models.FollowState.ACCEPTED
    ).exists()
    found: set[str] = set()
    if not following:
        found.add(policy.for_not_following)
    if policy.for_not_followers != "accept":
        since = await (
            models.Follow.filter(
                follower_id=sender.id, target_id=recipient.id, state=models.FollowState.ACCEPTED
            )
            .first()
            .values_list("created_at", flat=True)
        )
        if not isinstance(since, datetime) or since > _now() - RECENT_FOLLOWER:
            found.add(policy.for_not_followers)
    if policy.for_new_accounts != "accept" and sender.created_at > _now() - NEW_ACCOUNT:
        found.add(policy.for_new_accounts)
    if (
        policy.for_private_mentions != "accept"
        and kind == "mention"
        and status is not None
        and status.visibility is models.Visibility.DIRECT
        and not following
        and not await _answers_recipient(status, recipient, sender)
    ):
        found.add(policy.for_private_mentions)
    if "drop" in found:
        return "drop"
    return "filter" if "filter" in found else "accept"


async def _project_speaking_to_its_own(group: models.Actor, recipient: models.Actor) -> bool:
    """A project (on any node) writing to someone it invited or who is its member: the notice
    of an invitation or of an assigned task, which Mastodon users read as a direct message."""
    if await models.ProjectMember.filter(
        project__actor_id=group.id, actor_id=recipient.id
    ).exists():
        return True
    return await models.ProjectInvitation.filter(
        project__actor_id=group.id, invitee_id=recipient.id
    ).exists()


async def _answers_recipient(
    status: models.Status, recipient: models.Actor, sender: models.Actor
) -> bool:
    """A reply to the recipient's own status that mentioned the sender: a conversation the
    recipient began, never filtered."""
    if status.in_reply_to_id is None:
        return False
    parent = await models.Status.get_or_none(id=status.in_reply_to_id, actor_id=recipient.id)
    if parent is None:
        return False
    return await models.Mention.filter(status_id=parent.id, actor_id=sender.id).exists()


def _now() -> datetime:
    return datetime.now(UTC)


async def hold(note: models.Notification) -> None:
    """File a filtered notification under its sender's request."""
    updated = await models.NotificationRequest.filter(
        recipient_id=note.recipient_id, from_actor_id=note.from_actor_id
    ).update(
        notifications_count=F("notifications_count") + 1,
        last_status_id=note.status_id,
        updated_at=_now(),
    )
    if updated:
        return
    try:
        async with in_transaction():  # a savepoint: a lost race must not spoil the caller's
            await models.NotificationRequest.create(
                recipient_id=note.recipient_id,
                from_actor_id=note.from_actor_id,
                last_status_id=note.status_id,
                notifications_count=1,
            )
    except IntegrityError:
        await models.NotificationRequest.filter(
            recipient_id=note.recipient_id, from_actor_id=note.from_actor_id
        ).update(notifications_count=F("notifications_count") + 1, last_status_id=note.status_id)


async def accept(request: models.NotificationRequest) -> None:
    """Let the sender's held notifications into the list, and the sender past the policy."""
    async with in_transaction():
        try:
            async with in_transaction():
                await models.NotificationPermission.create(
                    recipient_id=request.recipient_id, from_actor_id=request.from_actor_id
                )
        except IntegrityError:
            pass  # accepted before
        await models.Notification.filter(
            recipient_id=request.recipient_id, from_actor_id=request.from_actor_id, filtered=True
        ).update(filtered=False)
        await request.delete()


async def dismiss(request: models.NotificationRequest) -> None:
    """Forget the request and the notifications it held."""
    async with in_transaction():
        await models.Notification.filter(
            recipient_id=request.recipient_id, from_actor_id=request.from_actor_id, filtered=True
        ).delete()
        await request.delete()


async def forget_sender(recipient_id: int, from_actor_id: int) -> None:
    """Recount a request after one of its notifications was withdrawn (an unfavourite)."""
    held = await models.Notification.filter(
        recipient_id=recipient_id, from_actor_id=from_actor_id, filtered=True
    ).count()
    requests = models.NotificationRequest.filter(
        recipient_id=recipient_id, from_actor_id=from_actor_id
    )
    if held:
        await requests.update(notifications_count=held)
    else:
        await requests.delete()
