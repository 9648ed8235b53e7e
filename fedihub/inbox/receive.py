"""Receiving: verify the HTTP signature, check who speaks, deduplicate by activity id, persist, 202.

Everything here runs in the request; the slow part (acting on the activity) is a job. A request
that fails any check gets 401 (or 400/413) and nothing is stored. The rules, after Mastodon's:
the signature covers (request-target)/@method+@target-uri, host, date and digest; the digest
matches the body; the date is within an hour; the key is re-fetched once when verification fails
(key rotation); the signing key's owner is the activity's actor.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from fedihub import jobs, metrics, models
from fedihub.accounts import resolver
from fedihub.activitypub import parse, signatures
from fedihub.batching import Batcher
from fedihub.errors import BadSignature, FedihubError, PayloadTooLarge, RemoteError, Unauthorized
from fedihub.outbox import peers
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)
INBOX_JOB = "inbox"
REFETCH_INTERVAL = timedelta(seconds=10)
# when this process last refetched a key because a signature failed, by key id
_refetched: OrderedDict[str, float] = OrderedDict()
_refetch_locks: dict[str, asyncio.Lock] = {}


@dataclass(frozen=True)
class Receipt:
    accepted: bool  # False: a duplicate or an activity we drop on purpose (still 202)
    reason: str


async def _verified_signer(rt: Runtime, signed: signatures.SignedRequest) -> models.Actor:
    try:
        signer = await resolver.actor_for_key_id(rt, signed.key_id)
    except FedihubError as exc:
        raise BadSignature(f"cannot get the signing key {signed.key_id}: {exc.public}") from None
    try:
        signatures.verify(signed, signer.public_key_pem)
        return signer
    except BadSignature:
        pass
    # the key may have been rotated since we cached it: fetch it once more, but not for every
    # forged request (at most once per REFETCH_INTERVAL per key: no fetch amplification). Requests
    # signed with the same new key arrive together (an Update and a Create after a rotation): they
    # wait for one refetch and then use what it stored.
    lock = _refetch_locks.setdefault(signed.key_id, asyncio.Lock())
    async with lock:
        stored = await models.Actor.filter(public_key_id=signed.key_id).first()
        if stored is not None and stored.public_key_pem != signer.public_key_pem:
            signatures.verify(signed, stored.public_key_pem)
            return stored
        now = time.monotonic()
        last = _refetched.get(signed.key_id)
        if last is not None and now - last < REFETCH_INTERVAL.total_seconds():
            raise BadSignature("signature does not verify with the signer's current key")
        _refetched[signed.key_id] = now
        while len(_refetched) > 10_000:
            stale, _ = _refetched.popitem(last=False)
            _refetch_locks.pop(stale, None)
        try:
            signer = await resolver.actor_for_key_id(rt, signed.key_id, refresh=True)
        except FedihubError as exc:
            raise BadSignature(f"cannot refresh the signing key: {exc.public}") from None
    signatures.verify(signed, signer.public_key_pem)
    return signer


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
    signed = signatures.parse(method, path, headers, scheme=rt.settings.scheme)
    signatures.require_components(signed, for_post=True)
    signatures.check_date(headers, time.time(), signed=signed)
    signatures.check_digest(headers, body)
    doc = parse.loads_bounded(body, max_depth=rt.settings.max_json_depth)
    activity = parse.activity(doc)
    try:
        signer = await _verified_signer(rt, signed)
    except BadSignature:
        known = await models.Actor.get_or_none(uri=activity.actor)
        if activity.type == "Delete" and activity.object_id == activity.actor and known is None:
            # Mastodon's Delete of an actor we never knew: its key is gone with it; nothing to do
            return Receipt(False, "delete of an unknown actor")
        raise
    if signer.uri != activity.actor:
        raise Unauthorized("the signing key does not belong to the activity's actor")
    if parse.host_of(activity.id) != signer.domain:
        raise Unauthorized("the activity id is not on the actor's server")
    if signer.domain is None:
        raise Unauthorized("a local actor cannot deliver to this node's inbox")
    await _host_answered(signer.domain)
    await peers.learned_from_request(signer.domain, signed.scheme)
    metrics.inc("fedihub_signatures_verified_total", scheme=signed.scheme)
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
