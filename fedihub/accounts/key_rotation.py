"""Rotating a local actor's key pair: a new RSA key, sealed; peers learn it from an Update.

Peers that cached the old key fail to verify the next signature, fetch the actor again and find
the new key (Mastodon and fedihub both re-fetch once on a failed verification).
"""

from __future__ import annotations

import asyncio

from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.accounts import profiles
from fedihub.runtime import Runtime
from fedihub.security import keys


async def rotate(rt: Runtime, user: models.User) -> None:
    actor = await models.Actor.get(id=user.actor_id)
    key = await asyncio.to_thread(keys.generate_private_key)
    async with in_transaction():
        user.private_key_sealed = keys.seal(key, rt.secrets.kek)
        await user.save(update_fields=["private_key_sealed"])
        actor.public_key_pem = keys.public_pem(key)
        await actor.save(update_fields=["public_key_pem"])
        rt.private_keys.forget(user.id)
        await profiles.publish_update(rt, actor)
