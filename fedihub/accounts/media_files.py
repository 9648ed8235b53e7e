"""Profile images besides the avatar (the header): checked by their bytes, stored randomly named.

The avatar goes through accounts.profiles (the profile page's service); the header uses the same
check and the same folder layout (headers/ beside avatars/).
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from fedihub import models
from fedihub.accounts import profiles
from fedihub.runtime import Runtime


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def store_header(rt: Runtime, actor: models.Actor, data: bytes) -> str:
    """Check and store a header image; returns its public URL (raises Invalid / PayloadTooLarge)."""
    extension = profiles.check_avatar(rt, data)
    relative = f"headers/{actor.id}-{secrets.token_hex(8)}.{extension}"
    await asyncio.to_thread(_write, rt.settings.media_dir / relative, data)
    return rt.urls.media(relative)
