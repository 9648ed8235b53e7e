"""Tag: a hashtag with its usage history (trends), spelled as Mastodon's REST::TagSerializer."""

from __future__ import annotations

import hashlib
from typing import Any

from fedihub.runtime import Runtime


def tag_id(name: str) -> str:
    """A stable id for a hashtag: fedihub keeps tags as names on statuses, not as rows with ids,
    so the id is derived from the name (the same on every process and every refresh)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return str(
        int.from_bytes(digest, "big") >> 1
    )  # fits a signed 64-bit integer, as Mastodon's ids


def tag(
    rt: Runtime,
    name: str,
    history: list[dict[str, str]],
    *,
    signed_in: bool,
    following: bool = False,
) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": tag_id(name),
        "name": name,
        "url": rt.urls.tag(name),
        "history": history,
    }
    if signed_in:
        # Mastodon adds these for a signed-in user only; nobody features tags here yet
        entity["following"] = following
        entity["featuring"] = False
    return entity
