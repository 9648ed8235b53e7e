"""Building the storage backends from settings: the local disk, or S3-compatible object storage.

Kept apart from storage.py (the interface) and s3.py (one backend) so that neither imports the
other; the assembler uses `for_settings`, and `fedihub media migrate` opens both at once.
"""

from __future__ import annotations

from fedihub.config import Settings
from fedihub.media.s3 import S3Config, S3Storage
from fedihub.media.storage import LocalDiskStorage, Storage
from fedihub.urls import NodeUrls


def local_disk(settings: Settings, urls: NodeUrls) -> LocalDiskStorage:
    return LocalDiskStorage(settings.media_dir, urls.media("").rstrip("/"))


def object_storage(settings: Settings) -> S3Storage:
    return S3Storage(
        S3Config(
            endpoint=settings.s3_endpoint,
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            path_style=settings.s3_path_style,
            public_url=settings.s3_public_url,
            signed_urls=settings.s3_signed_urls,
        )
    )


def for_settings(settings: Settings, urls: NodeUrls) -> Storage:
    """Object storage when a bucket is configured, else the local disk under media_dir, served at
    /media/."""
    return object_storage(settings) if settings.s3_bucket else local_disk(settings, urls)
