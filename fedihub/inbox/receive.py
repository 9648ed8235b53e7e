"""Receiving: verify the HTTP signature, check who speaks, deduplicate by activity id, persist, 202.

Everything here runs in the request; the slow part (acting on the activity) is a job. A request
that fails any check gets 401 (or 400/413) and nothing is stored. The signature rules (what it
covers, digests, date window, key lookup and refetch) are accounts/signers.py's, shared with
signed GETs; here: the signing key's owner is the activity's actor, the activity id is on the
actor's server, and a local actor does not deliver to its own node.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from fedihub import jobs, metrics, models
from fedihub.accounts import signers
from fedihub.activitypub import parse
from fedihub.batching import Batcher
from fedihub.errors import BadSignature, PayloadTooLarge, RemoteError, Unauthorized
from fedihub.moderation import policy
from fedihub.outbox import peers
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)
INBOX_JOB = "inbox"


@dataclass(frozen=True)
class Receipt:
    accepted: bool  # False: a duplicate or an activity we drop on purpose (still 202)
    reason: str


async def receive(
    rt: Runtime,
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    inbox_owner: models.Actor | None = None,
) -> Receipt:
    """Check and persist one inbox POST; raises an error with the status to answer."""
    if len(body) > rt.settings.max_inbox_body:
        raise PayloadTooLarge(f"activity larger than {rt.settings.max_inbox_body} bytes")
    doc = parse.loads_bounded(body, max_depth=rt.settings.max_json_depth)
    activity = parse.activity(doc)
    # refused before the signature: a blocked server must not make us fetch its keys
    await policy.check(rt, parse.host_of(activity.actor))
    try:
        verified = await signers.verify(
            rt, method=method, target=path, headers=headers, body=body, actor=activity.actor
        )
    except BadSignature:
        if activity.type == "Delete" and activity.object_id == activity.actor:
            known = await models.Actor.get_or_none(uri=activity.actor, deleted_at__isnull=True)
            if known is None:
                # Mastodon's Delete of an actor we never knew or already forgot: its key is gone
                # with it; nothing to do
                return Receipt(False, "delete of an unknown actor")
        raise
    signer = verified.actor
    if parse.host_of(activity.id) != signer.domain:
        raise Unauthorized("the activity id is not on the actor's server")
    if signer.domain is None:
        raise Unauthorized("a local actor cannot deliver to this node's inbox")
    await _host_answered(signer.domain)
    await peers.learned_from_request(signer.domain, verified.scheme)
    metrics.inc("fedihub_signatures_verified_total", scheme=verified.scheme)
    job = await jobs.enqueue(
        rt,
        INBOX_JOB,
        {"activity": doc, "signer": signer.id, "owner": inbox_owner.id if inbox_owner else None},
        dedupe_key=_dedupe_key(activity),
        max_attempts=8,
    )
    return Receipt(job is not None, "accepted" if job is not None else "duplicate")


def _dedupe_key(activity: parse.Activity) -> str:
    """One job per activity. WriteFreely gives a post's Create and each of its Updates the
    post's own id (writefreely activitypub.go federatePost): the type and an Update's time tell
    them apart, where the id alone dropped every edit as a replay of the Create."""
    key = f"{INBOX_JOB}:{activity.id}"
    if activity.type == "Update":
        key = f"{key}:Update:{activity.updated or ''}"
    return key[:900]


async def _resume_hosts(domains: list[str]) -> list[None]:
    await models.Host.filter(domain__in=set(domains), unavailable=True).update(
        unavailable=False, failure_count=0, first_failure_at=None
    )
    return [None] * len(domains)


# requests arriving together (an inbox under load) share one UPDATE
_resume = Batcher(_resume_hosts)


async def _host_answered(domain: str) -> None:
    """A peer that sends us signed activities is up: resume deliveries to it."""
    await _resume(domain)


__all__ = ["INBOX_JOB", "Receipt", "RemoteError", "receive"]
