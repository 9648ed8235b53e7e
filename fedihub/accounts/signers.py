"""Who signed a request: the one check every signed request to this node passes, inbox POSTs and
signed GETs alike, so that a fix to it lands once.

`verify` takes the request's method, target (path and query, as sent), headers and body (None for
a GET) and returns the verified signer, or raises BadSignature/StaleSignature (401):

1. the signature (draft-cavage-12 or RFC 9421) covers the method and target, the host, the date
   (or `created`) and, with a body, the body's digest;
2. the date (and `created`/`expires`) is within an hour of now;
3. every digest header present (Digest, Content-Digest) matches the body, and the one the
   signature covers is present;
4. the key is the exact `publicKey.id` of an actor: known ones are read from the database
   (requests arriving together share one read); unknown ones are fetched through the resolver,
   which keeps a key, its owner and the document it came from on one origin; a deleted actor's
   key signs nothing;
5. the signature verifies with that key; if it does not, the key is fetched once more (the peer
   may have rotated it), at most once per REFETCH_INTERVAL per key in this process, so that a
   forger cannot make us fetch from its victim at will; requests failing together wait for that
   one fetch and use what it stored;
6. with `actor`, the signer must be that actor (the activity's `actor`).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from fedihub import models
from fedihub.accounts import resolver
from fedihub.activitypub import parse, signatures
from fedihub.errors import BadSignature, FedihubError, Unauthorized
from fedihub.moderation import policy
from fedihub.runtime import Runtime

REFETCH_INTERVAL = timedelta(seconds=10)
_REMEMBERED = 10_000
# when this process last refetched a key because a signature failed, by key id
_refetched: OrderedDict[str, float] = OrderedDict()
_refetch_locks: dict[str, asyncio.Lock] = {}


@dataclass(frozen=True)
class Signer:
    actor: models.Actor
    scheme: Literal["cavage", "rfc9421"]


async def verify(
    rt: Runtime,
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes | None,
    actor: str | None = None,
) -> Signer:
    """The verified signer of a request (steps 1-6 above); `body` None for requests without one."""
    signed = signatures.parse(method, target, headers, scheme=rt.settings.scheme)
    # a suspended (or, in allowlist mode, unlisted) server is refused before its key is looked up
    await policy.check(rt, parse.host_of(signed.key_id))
    signatures.require_components(signed, for_post=body is not None)
    signatures.check_date(headers, time.time(), signed=signed)
    if body is not None:
        signatures.check_digest(headers, body, required=signatures.covered_digests(signed))
    signer = await _verified_owner(rt, signed)
    if actor is not None and signer.uri != actor:
        raise Unauthorized("the signing key does not belong to the activity's actor")
    return Signer(signer, signed.scheme)


async def _owner(rt: Runtime, key_id: str, *, refresh: bool) -> models.Actor:
    try:
        owner = await resolver.actor_for_key_id(rt, key_id, refresh=refresh)
    except FedihubError as exc:
        raise BadSignature(f"cannot get the signing key {key_id}: {exc.public}") from None
    if owner.deleted_at is not None:
        raise BadSignature("the signing actor is gone")
    return owner


async def _verified_owner(rt: Runtime, signed: signatures.SignedRequest) -> models.Actor:
    key_id = signed.key_id
    owner = await _owner(rt, key_id, refresh=False)
    try:
        signatures.verify(signed, owner.public_key_pem)
        return owner
    except BadSignature:
        if owner.is_local:
            raise
    lock = _refetch_locks.setdefault(key_id, asyncio.Lock())
    async with lock:
        stored = await models.Actor.filter(public_key_id=key_id).first()
        if stored is not None and stored.public_key_pem != owner.public_key_pem:
            # another request refetched the key while this one waited
            if stored.deleted_at is not None:
                raise BadSignature("the signing actor is gone")
            signatures.verify(signed, stored.public_key_pem)
            return stored
        now = time.monotonic()
        last = _refetched.get(key_id)
        if last is not None and now - last < REFETCH_INTERVAL.total_seconds():
            raise BadSignature("signature does not verify with the signer's current key")
        _refetched[key_id] = now
        _refetched.move_to_end(key_id)
        while len(_refetched) > _REMEMBERED:
            stale, _ = _refetched.popitem(last=False)
            _refetch_locks.pop(stale, None)
        owner = await _owner(rt, key_id, refresh=True)
    signatures.verify(signed, owner.public_key_pem)
    return owner


__all__ = ["REFETCH_INTERVAL", "Signer", "verify"]
