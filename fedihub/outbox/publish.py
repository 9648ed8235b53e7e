"""Publishing: store an activity once, and enqueue one delivery job per distinct inbox.

Recipients are actors; their inboxes are deduplicated by shared inbox (one POST per peer server
where the peer has one, as Mastodon does), and servers the node refuses to talk with
(moderation/policy.py) get nothing. The sending side deduplicates by (activity, inbox) so a
retried publish never delivers twice; receivers deduplicate by activity id. Imports no domain
service: callers pass the activity and who gets it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from tortoise.exceptions import IntegrityError

from fedihub import jobs, models
from fedihub.activitypub import parse
from fedihub.moderation import policy
from fedihub.runtime import Runtime

DELIVER = "deliver"


def inboxes_for(recipients: Iterable[models.Actor], *, local_domain: str) -> list[str]:
    """One inbox per recipient server where it has a shared inbox; never the node's own."""
    chosen: dict[str, None] = {}
    for actor in recipients:
        if actor.domain is None or actor.deleted_at is not None:
            continue
        inbox = actor.shared_inbox or actor.inbox
        if inbox and parse.host_of(inbox) != local_domain:
            chosen.setdefault(inbox, None)
    return list(chosen)


async def follower_actors(actor_id: int) -> list[models.Actor]:
    """Remote actors who follow `actor_id` (accepted follows only)."""
    # only what addressing needs: a fan-out to 10,000 followers loads 10,000 rows
    return await models.Actor.filter(
        following_rel__target_id=actor_id,
        following_rel__state=models.FollowState.ACCEPTED,
        domain__not_isnull=True,
    ).only("id", "uri", "domain", "inbox", "shared_inbox", "deleted_at")


async def publish(
    rt: Runtime,
    sender: models.Actor,
    activity: dict[str, object],
    recipients: Iterable[models.Actor],
) -> int:
    """Persist `activity` and enqueue its deliveries; returns how many inboxes will get it."""
    uri = str(activity["id"])
    body = json.dumps(activity, ensure_ascii=False, separators=(",", ":"))
    try:
        stored = await models.OutboxActivity.create(uri=uri, actor_id=sender.id, body=body)
    except IntegrityError:
        stored = await models.OutboxActivity.get(uri=uri)
    targets = inboxes_for(recipients, local_domain=rt.urls.domain)
    refused = await policy.refused_among(rt, {parse.host_of(inbox) for inbox in targets})
    if refused:
        targets = [inbox for inbox in targets if parse.host_of(inbox) not in refused]
    await jobs.queue.enqueue_many(
        rt,
        DELIVER,
        [
            ({"activity": stored.id, "inbox": inbox}, f"{DELIVER}:{stored.id}:{inbox}")
            for inbox in targets
        ],
    )
    return len(targets)
