"""The database half of finding who owns a signing key: actors already known to the node.

Fetching unknown actors is the resolver's job (accounts/resolver.py); this module only looks in the
actors table, so signed requests from known peers cost no network I/O.
"""

from __future__ import annotations

from fedihub import models


async def actor_by_key_id(key_id: str) -> models.Actor | None:
    """The known, not deleted actor whose public key has this id (or whose URI the key id names)."""
    actor = await models.Actor.get_or_none(public_key_id=key_id, deleted_at__isnull=True)
    if actor is not None:
        return actor
    # some peers sign with the actor URI itself, or with a fragment we did not store
    base = key_id.split("#", 1)[0]
    actor = await models.Actor.filter(uri=base, deleted_at__isnull=True).first()
    if actor is not None and (key_id == base or not actor.public_key_id):
        return actor
    return None
