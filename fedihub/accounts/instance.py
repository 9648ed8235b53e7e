"""The instance actor: an Application that signs fetches made on behalf of the whole node."""

from __future__ import annotations

from fedihub import models
from fedihub.runtime import Runtime


async def ensure_instance_actor(rt: Runtime) -> models.Actor:
    urls = rt.urls
    actor, _ = await models.Actor.update_or_create(
        uri=urls.instance_actor,
        defaults={
            "actor_type": "Application",
            "username": urls.domain,
            "domain": None,
            "display_name": urls.domain,
            "url": f"{urls.base}/about",
            "inbox": f"{urls.instance_actor}/inbox",
            "outbox": f"{urls.instance_actor}/outbox",
            "shared_inbox": urls.shared_inbox,
            "public_key_id": urls.instance_key_id,
            "public_key_pem": rt.secrets.instance_public_pem,
            "manually_approves": True,
            "discoverable": False,
        },
    )
    return actor
