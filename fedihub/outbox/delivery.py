"""Delivering one stored activity to one inbox: signed POST, outcome, back-off, failing hosts.

A 2xx is done. A 410 (the inbox is gone) and other 4xx but 408/429 are permanent: retrying cannot
help. 5xx, 408, 429, timeouts and refused connections are retried by the job runner with
Mastodon's back-off over about two days. A host that has failed for a week with no success is
marked unavailable and skipped until it answers again (a delivery succeeds, or it sends us a
signed activity).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

import httpx
from tortoise.expressions import F

from fedihub import jobs, models
from fedihub.activitypub import parse
from fedihub.activitypub.signatures import SignatureAuth
from fedihub.errors import RemoteForbidden
from fedihub.jobs import PermanentError
from fedihub.outbox import peers
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)
UNAVAILABLE_AFTER = timedelta(days=7)
CONTENT_TYPE = 'application/activity+json'
# A fan-out sends one stored activity to many inboxes: read it once per process, not once per
# inbox (its body never changes once stored). By OutboxActivity id, most recently used last.
_STORED: OrderedDict[int, models.OutboxActivity] = OrderedDict()
_STORED_MAX = 64


async def signer_auth(rt: Runtime, actor_id: int, scheme: str = "cavage") -> SignatureAuth:
    """The signing credentials of a local actor (the instance actor has its key in keys/)."""
    # one statement (a join), not two as prefetch_related would make for every delivery
    user = await models.User.get_or_none(actor_id=actor_id).select_related("actor")
    if user is None:
        return SignatureAuth(rt.urls.instance_key_id, rt.secrets.instance_key, scheme=scheme)
    key = rt.private_keys.get(user.id, user.private_key_sealed)
    key_id = user.actor.public_key_id or rt.urls.key_id(user.actor.username)
    return SignatureAuth(key_id, key, scheme=scheme)


async def _stored(activity_id: int) -> models.OutboxActivity | None:
    stored = _STORED.get(activity_id)
    if stored is not None:
        _STORED.move_to_end(activity_id)
        return stored
    stored = await models.OutboxActivity.get_or_none(id=activity_id)
    if stored is not None:
        _STORED[activity_id] = stored
        if len(_STORED) > _STORED_MAX:
            _STORED.popitem(last=False)
    return stored


async def record_success(domain: str) -> None:
    now = datetime.now(UTC)
    updated = await models.Host.filter(domain=domain).update(
        failure_count=0, first_failure_at=None, unavailable=False, last_success_at=now
    )
    if not updated:
        await models.Host.get_or_create(domain=domain, defaults={"last_success_at": now})


async def record_failure(domain: str) -> None:
    """Count one failed delivery to `domain`. Each step is one statement: workers failing at the
    same host at once must each be counted (a read-modify-write of the row lost all but one)."""
    now = datetime.now(UTC)
    counted = await models.Host.filter(domain=domain).update(
        failure_count=F("failure_count") + 1, last_failure_at=now
    )
    if not counted:
        await models.Host.bulk_create([models.Host(domain=domain)], ignore_conflicts=True)
        await models.Host.filter(domain=domain).update(
            failure_count=F("failure_count") + 1, last_failure_at=now
        )
    first = models.Host.filter(domain=domain, first_failure_at__isnull=True)
    await first.update(first_failure_at=now)
    await models.Host.filter(
        domain=domain, unavailable=False, first_failure_at__lte=now - UNAVAILABLE_AFTER
    ).update(unavailable=True)


async def _post(rt: Runtime, inbox: str, stored: models.OutboxActivity, scheme: str) -> httpx.Response:
    return await rt.http.post(
        inbox,
        content=stored.body.encode("utf-8"),
        headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE},
        auth=await signer_auth(rt, stored.actor_id, scheme),
        follow_redirects=False,
    )


@jobs.handler("deliver")
async def deliver(rt: Runtime, payload: dict[str, object]) -> None:
    inbox = str(payload["inbox"])
    domain = parse.host_of(inbox)
    host = await models.Host.get_or_none(domain=domain)
    if host is not None and host.unavailable:
        raise PermanentError(f"{domain} is marked unavailable")
    stored = await _stored(int(str(payload["activity"])))
    if stored is None:
        raise PermanentError("the activity to deliver no longer exists")
    scheme = await peers.signature_scheme(rt, domain, host=host, probe=False)
    try:
        response = await _post(rt, inbox, stored, scheme)
        if scheme == "rfc9421" and response.status_code in (400, 401, 403):
            # the peer does not verify RFC 9421 after all: back to draft-cavage, for good
            await peers.refused_rfc9421(domain)
            response = await _post(rt, inbox, stored, "cavage")
    except RemoteForbidden as exc:  # the address is not allowed: it will not become allowed
        raise PermanentError(str(exc.public)) from None
    except httpx.HTTPError as exc:
        await record_failure(domain)
        raise RuntimeError(f"delivery to {inbox} failed: {type(exc).__name__}: {exc}") from None
    status = response.status_code
    if 200 <= status < 300:
        await record_success(domain)
        return
    if status >= 500 or status in (408, 429):
        await record_failure(domain)
        raise RuntimeError(f"{inbox} answered {status}")
    # the server answered: it is up, but this delivery can never succeed
    await record_success(domain)
    raise PermanentError(f"{inbox} answered {status}")
