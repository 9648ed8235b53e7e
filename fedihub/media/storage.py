"""Where uploaded bytes are kept: a narrow `Storage` interface and its local-disk implementation.

Keys are relative paths such as `attachments/<random>/original.png`; `url(key)` is where clients
fetch them (the /media/ route serves LocalDiskStorage's folder). media/s3.py implements the same
methods over S3's protocol; the assembler (fedihub/node.py) chooses one, and nothing else touches
the files.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"^[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)*$")


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...

    def url(self, key: str) -> str: ...

    async def close(self) -> None: ...


def check_key(key: str) -> str:
    """A key is a relative path of plain segments: no `..`, no absolute path, no empty segment."""
    if not _KEY.match(key) or any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"bad storage key {key!r}")
    return key


RESTRICTED = "restricted/"


def is_restricted(key: str) -> bool:
    """Files of posts not everyone may see (followers-only, direct, institution-only, drafts)
    live under `restricted/`: never served by the public /media/ route or a public bucket URL,
    only through the route that checks who asks (media/placement.py, social/media_access.py)."""
    return key.startswith(RESTRICTED)


def new_folder(*, restricted: bool = False) -> str:
    """A folder for one attachment's files (its original and its preview), uploaded or copied
    from a peer alike, named by 128 random bits in 22 URL-safe characters and nothing else.

    /media/ serves files to anyone who has their URL (as Mastodon's file server does), files of
    followers-only and direct posts too: a name must not be guessable. The former names (the
    attachment's id: a millisecond time and 15 random bits) could be enumerated; files stored
    under them keep working, their keys are on their rows.
    """
    place = RESTRICTED.rstrip("/") if restricted else "attachments"
    return f"{place}/{secrets.token_urlsafe(16)}"


def original_key(folder: str, extension: str) -> str:
    return f"{folder}/original.{extension}"


def preview_key(folder: str, extension: str) -> str:
    return f"{folder}/small.{extension}"


class LocalDiskStorage:
    """Files under one folder; written to a temporary name first: no reader sees half a file."""

    def __init__(self, root: Path, base_url: str) -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(data)
            partial.replace(path)

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    def url(self, key: str) -> str:
        return f"{self.base_url}/{check_key(key)}"

    async def close(self) -> None:
        return None
