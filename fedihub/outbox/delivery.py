"""Delivering one stored activity to one inbox: signed POST, outcome, back-off, failing hosts.

A 2xx is done. A 410 (the inbox is gone) and other 4xx but 408/429 are permanent: retrying cannot
help. 5xx, 408, 429, timeouts and refused connections are retried by the job runner with
Mastodon's back-off over about two days. A host that has failed for a week with no success is
marked unavailable and skipped until it answers again (hosts.py).
"""

from __future__ import annotations

import logging
from collections import OrderedDict

import httpx

from fedihub import models
from fedihub.activitypub import parse
from fedihub.activitypub.signatures import SignatureAuth
from fedihub.batching import Batcher
from fedihub.errors import RemoteForbidden
from fedihub.jobs import PermanentError
from fedihub.moderation import policy
from fedihub.outbox import hosts, peers
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)
CONTENT_TYPE = "application/activity+json"
# A fan-out sends one stored activity to many inboxes: read it once per process, not once per
# inbox (its body never changes once stored). By OutboxActivity id, most recently used last.
_STORED: OrderedDict[int, models.OutboxActivity] = OrderedDict()
_STORED_MAX = 64


SignerRow = tuple[int, str, str | None, str]  # owner (user or project) id, sealed key, key id, name


async def _read_signers(actor_ids: list[int]) -> list[SignerRow | None]:
    # the four columns signing needs through one join (0.3 ms of CPU, where whole User and
    # Actor rows cost 0.7), for every actor asked in the batch
    rows = await models.User.filter(actor_id__in=set(actor_ids)).values_list(
        "actor_id", "id", "private_key_sealed", "actor__public_key_id", "actor__username"
    )
    by_actor = {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}
    groups = set(actor_ids) - set(by_actor)
    if groups:
        # a project's Group actor signs with its own key, kept on its project row
        found = await models.Project.filter(
            actor_id__in=groups, local=True, private_key_sealed__not_isnull=True
        ).values_list(
            "actor_id", "id", "private_key_sealed", "actor__public_key_id", "actor__username"
        )
        by_actor.update({row[0]: (row[1], row[2], row[3], row[4]) for row in found})
    return [by_actor.get(actor_id) for actor_id in actor_ids]


# Read at every delivery, so a key rotated by another process signs the next one; deliveries
# running at once share the statement (a fan-out's all read the same signer).
_signer_row = Batcher(_read_signers)


async def signer_auth(rt: Runtime, actor_id: int, scheme: str = "cavage") -> SignatureAuth:
    """The signing credentials of a local actor (the instance actor has its key in keys/)."""
    row = await _signer_row(actor_id)
    if row is None:
        return SignatureAuth(rt.urls.instance_key_id, rt.secrets.instance_key, scheme=scheme)
    user_id, sealed, key_id, username = row
    key = rt.private_keys.get(user_id, sealed)
    return SignatureAuth(key_id or rt.urls.key_id(username), key, scheme=scheme)


async def _read_stored(ids: list[int]) -> list[models.OutboxActivity | None]:
    rows = {row.id: row for row in await models.OutboxActivity.filter(id__in=set(ids))}
    return [rows.get(activity_id) for activity_id in ids]


# the first deliveries of a fan-out all miss the cache at once: they share one read
_stored_row = Batcher(_read_stored)


async def _stored(activity_id: int) -> models.OutboxActivity | None:
    stored = _STORED.get(activity_id)
    if stored is not None:
        _STORED.move_to_end(activity_id)
        return stored
    stored = await _stored_row(activity_id)
    if stored is not None:
        _STORED[activity_id] = stored
        if len(_STORED) > _STORED_MAX:
            _STORED.popitem(last=False)
    return stored


async def _post(
    rt: Runtime, inbox: str, stored: models.OutboxActivity, scheme: str
) -> httpx.Response:
    return await rt.http.post(
        inbox,
        content=stored.body.encode("utf-8"),
        headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE},
        auth=await signer_auth(rt, stored.actor_id, scheme),
        follow_redirects=False,
    )


async def deliver(rt: Runtime, payload: dict[str, object]) -> None:
    inbox = str(payload["inbox"])
    domain = parse.host_of(inbox)
    if await policy.is_refused(rt, domain):
        raise PermanentError(f"{domain} is blocked by this node's policy")
    host = await hosts.read(domain)
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
        await hosts.record_failure(domain, host)
        raise RuntimeError(f"delivery to {inbox} failed: {type(exc).__name__}: {exc}") from None
    status = response.status_code
    if 200 <= status < 300:
        await hosts.record_success(domain, host)
        return
    if status >= 500 or status in (408, 429):
        await hosts.record_failure(domain, host)
        raise RuntimeError(f"{inbox} answered {status}")
    # the server answered: it is up, but this delivery can never succeed
    await hosts.record_success(domain, host)
    raise PermanentError(f"{inbox} answered {status}")
