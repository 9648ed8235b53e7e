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
from tortoise.expressions import Case, F, When
from tortoise.functions import Coalesce

from fedihub import jobs, models
from fedihub.activitypub import parse
from fedihub.activitypub.signatures import SignatureAuth
from fedihub.errors import RemoteForbidden
from fedihub.jobs import PermanentError
from fedihub.outbox import peers
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)
UNAVAILABLE_AFTER = timedelta(days=7)
SUCCESS_NOTED_FOR = timedelta(minutes=1)
CONTENT_TYPE = 'application/activity+json'
# A fan-out sends one stored activity to many inboxes: read it once per process, not once per
# inbox (its body never changes once stored). By OutboxActivity id, most recently used last.
_STORED: OrderedDict[int, models.OutboxActivity] = OrderedDict()
_STORED_MAX = 64


async def signer_auth(rt: Runtime, actor_id: int, scheme: str = "cavage") -> SignatureAuth:
    """The signing credentials of a local actor (the instance actor has its key in keys/)."""
    # read at every delivery, so a key rotated by another process signs the next one; one join
    # for the four columns it needs (0.3 ms of CPU, where whole User and Actor rows cost 0.7)
    row = await (
        models.User.filter(actor_id=actor_id)
        .first()
        .values_list("id", "private_key_sealed", "actor__public_key_id", "actor__username")
    )
    if row is None:
        return SignatureAuth(rt.urls.instance_key_id, rt.secrets.instance_key, scheme=scheme)
    user_id, sealed, key_id, username = row
    key = rt.private_keys.get(user_id, sealed)
    return SignatureAuth(key_id or rt.urls.key_id(username), key, scheme=scheme)


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


def _noted_recently(host: models.Host, now: datetime) -> bool:
    """The row shows no failure, and a success less than SUCCESS_NOTED_FOR ago."""
    if host.failure_count or host.first_failure_at is not None or host.unavailable:
        return False
    return host.last_success_at is not None and now - host.last_success_at < SUCCESS_NOTED_FOR


async def record_success(domain: str, host: models.Host | None) -> None:
    """A delivery to `domain` succeeded; `host` is its row as read before the delivery (None: no
    row yet). One statement, and none when the row shows no failure and a success noted less than
    SUCCESS_NOTED_FOR ago: a fan-out would otherwise rewrite a busy peer's row for every inbox."""
    now = datetime.now(UTC)
    if host is not None and _noted_recently(host, now):
        return
    cleared = {
        "failure_count": 0, "first_failure_at": None, "unavailable": False, "last_success_at": now
    }
    if host is not None:
        await models.Host.filter(domain=domain).update(**cleared)
        return
    # first contact: another worker may be making the row at the same moment
    await models.Host.bulk_create(
        [models.Host(domain=domain, **cleared)], on_conflict=["domain"], update_fields=list(cleared)
    )


async def record_failure(domain: str, host: models.Host | None) -> None:
    """Count one failed delivery to `domain` (`host`: its row as read before, None when there was
    none) in one statement: workers failing at the same host at once must each be counted (a
    read-modify-write of the row lost all but one). The host becomes unavailable once its first
    failure since the last success is UNAVAILABLE_AFTER old."""
    now = datetime.now(UTC)
    if host is None:
        await models.Host.bulk_create([models.Host(domain=domain)], ignore_conflicts=True)
    await models.Host.filter(domain=domain).update(
        failure_count=F("failure_count") + 1,
        last_failure_at=now,
        first_failure_at=Coalesce("first_failure_at", now),
        # the row's values before this statement: the first failure of the run, when there was one
        unavailable=Case(
            # tortoise's hint names expressions only; constants are wrapped as parameters
            When(first_failure_at__lte=now - UNAVAILABLE_AFTER, then=True),  # type: ignore[arg-type]
            default=F("unavailable"),
        ),
    )


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
    # the row just read decides; no NodeInfo probe: a fan-out to a thousand new hosts must not
    # cost a thousand extra requests (hosts are probed when we first fetch from them)
    scheme = peers.known_scheme(host)
    try:
        response = await _post(rt, inbox, stored, scheme)
        if scheme == "rfc9421" and response.status_code in (400, 401, 403):
            # the peer does not verify RFC 9421 after all: back to draft-cavage, for good
            await peers.refused_rfc9421(domain)
            response = await _post(rt, inbox, stored, "cavage")
    except RemoteForbidden as exc:  # the address is not allowed: it will not become allowed
        raise PermanentError(str(exc.public)) from None
    except httpx.HTTPError as exc:
        await record_failure(domain, host)
        raise RuntimeError(f"delivery to {inbox} failed: {type(exc).__name__}: {exc}") from None
    status = response.status_code
    if 200 <= status < 300:
        await record_success(domain, host)
        return
    if status >= 500 or status in (408, 429):
        await record_failure(domain, host)
        raise RuntimeError(f"{inbox} answered {status}")
    # the server answered: it is up, but this delivery can never succeed
    await record_success(domain, host)
    raise PermanentError(f"{inbox} answered {status}")
