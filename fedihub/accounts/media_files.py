"""Profile images besides the avatar (the header): checked by their bytes, stored randomly named
and without their metadata.

The avatar goes through accounts.profiles (the profile page's service); the header uses the same
check and the same folder layout (headers/ beside avatars/).
"""

from __future__ import annotations

import secrets

from fedihub import models
from fedihub.accounts import profiles
from fedihub.media import images
from fedihub.runtime import Runtime


async def store_header(rt: Runtime, actor: models.Actor, data: bytes) -> str:
    """Check and store a header image; returns its public URL (raises Invalid / PayloadTooLarge)."""
    extension = profiles.check_avatar(rt, data)
    relative = f"headers/{actor.id}-{secrets.token_hex(8)}.{extension}"
    store = rt.storage  # local disk, or object storage when a bucket is configured
    data = images.check_bytes(data).data  # without the photo's metadata (GPS, camera serial)
    await store.put(relative, data, f"image/{'jpeg' if extension == 'jpg' else extension}")
    return store.url(relative)
