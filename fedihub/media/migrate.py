"""Moving stored media between the local disk and object storage while the node runs.

Every object is copied and read back before anything points at its new place; actors' avatar and
header URLs are switched only after their files arrived; the source is deleted only when asked
(`--delete-source`) and only after everything was copied. Running it twice copies nothing twice
that is already there and equal. New uploads go where the configuration says: switch the
configuration (FEDIHUB_S3_BUCKET) and restart, then migrate what was stored before.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field

from fedihub import models
from fedihub.errors import NotFound
from fedihub.media import backends, storage
from fedihub.media.s3 import S3Storage
from fedihub.runtime import Runtime


@dataclass
class Report:
    copied: int = 0
    skipped: int = 0
    urls_switched: int = 0
    deleted: int = 0
    failures: list[str] = field(default_factory=list)


def _local_keys(rt: Runtime) -> list[str]:
    root = rt.settings.media_dir
    if not root.exists():
        return []
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and ".tmp" not in path.name
    )


async def _copy(source: storage.Storage, target: storage.Storage, key: str, report: Report) -> bool:
    data = await source.get(key)
    try:
        if await target.get(key) == data:
            report.skipped += 1
            return True
    except NotFound:
        pass
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    await target.put(key, data, content_type)
    if await target.get(key) != data:  # read back: a copy that did not arrive whole is not a copy
        report.failures.append(key)
        return False
    report.copied += 1
    return True


async def _switch_actor_urls(
    source: storage.Storage, target: storage.Storage, keys: set[str], report: Report
) -> None:
    for key in keys:
        old, new = source.url(key), target.url(key)
        report.urls_switched += await models.Actor.filter(icon_url=old).update(icon_url=new)
        report.urls_switched += await models.Actor.filter(header_url=old).update(header_url=new)


async def _keys_in_use(rt: Runtime, source: storage.Storage) -> list[str]:
    keys: set[str] = set()
    for original, preview in await models.MediaAttachment.filter(
        storage_key__not_isnull=True
    ).values_list("storage_key", "preview_key"):
        keys.update(k for k in (original, preview) if k)
    base = source.url("x")[:-1]
    for icon, header in await models.Actor.filter(domain=None).values_list(
        "icon_url", "header_url"
    ):
        for url in (icon, header):
            if url and url.startswith(base):
                keys.add(url[len(base) :])
    return sorted(k for k in keys if k)


async def run(rt: Runtime, *, to_object_storage: bool, delete_source: bool = False) -> Report:
    """Copy every stored object to the other side, switch URLs, optionally delete the source."""
    disk, bucket = backends.local_disk(rt.settings, rt.urls), backends.object_storage(rt.settings)
    try:
        return await _move(rt, disk, bucket, to_object_storage, delete_source)
    finally:
        await bucket.close()


async def _move(
    rt: Runtime,
    disk: storage.LocalDiskStorage,
    bucket: S3Storage,
    to_object_storage: bool,
    delete_source: bool,
) -> Report:
    source, target = (disk, bucket) if to_object_storage else (bucket, disk)
    await bucket.ensure_bucket()
    keys = _local_keys(rt) if to_object_storage else await _keys_in_use(rt, source)
    report = Report()
    done: set[str] = set()
    for key in keys:
        try:
            if await _copy(source, target, key, report):
                done.add(key)
        except NotFound:
            report.failures.append(key)
    await _switch_actor_urls(source, target, done, report)
    if delete_source and not report.failures:
        for key in done:
            await source.delete(key)
            report.deleted += 1
    return report
