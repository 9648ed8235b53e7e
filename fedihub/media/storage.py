"""Where uploaded bytes are kept: a narrow `Storage` interface and its local-disk implementation.

Keys are relative paths such as `attachments/<random>/original.png`; `url(key)` is where clients
fetch them (the /media/ route serves LocalDiskStorage's folder). The S3 backend (s3.py) implements
the same four methods; nothing else in fedihub touches the files.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path
from typing import Protocol

from fedihub.runtime import Runtime

_KEY = re.compile(r"^[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)*$")
RESOURCE = "media.storage"


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...

    def url(self, key: str) -> str: ...


def check_key(key: str) -> str:
    """A key is a relative path of plain segments: no `..`, no absolute path, no empty segment."""
    if not _KEY.match(key) or any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"bad storage key {key!r}")
    return key


def new_folder() -> str:
    """A folder for one attachment's files (its original and its preview), uploaded or copied
    from a peer alike, named by 128 random bits in 22 URL-safe characters and nothing else.

    /media/ serves files to anyone who has their URL (as Mastodon's file server does), files of
    followers-only and direct posts too: a name must not be guessable. The former names (the
    attachment's id: a millisecond time and 15 random bits) could be enumerated; files stored
    under them keep working, their keys are on their rows.
    """
    return f"attachments/{secrets.token_urlsafe(16)}"


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


def local_disk(rt: Runtime) -> LocalDiskStorage:
    return LocalDiskStorage(rt.settings.media_dir, rt.urls.media("").rstrip("/"))


def object_storage(rt: Runtime) -> Storage:
    from fedihub.media.s3 import S3Config, S3Storage

    s = rt.settings
    return S3Storage(
        S3Config(
            endpoint=s.s3_endpoint,
            bucket=s.s3_bucket,
            region=s.s3_region,
            access_key=s.s3_access_key,
            secret_key=s.s3_secret_key,
            path_style=s.s3_path_style,
            public_url=s.s3_public_url,
            signed_urls=s.s3_signed_urls,
        )
    )


def for_runtime(rt: Runtime) -> Storage:
    """This process's storage: S3-compatible object storage when a bucket is configured, else the
    local disk under settings.media_dir, served at /media/."""
    storage = rt.resources.get(RESOURCE)
    if storage is None:
        storage = object_storage(rt) if rt.settings.s3_bucket else local_disk(rt)
        rt.resources[RESOURCE] = storage
    return storage
