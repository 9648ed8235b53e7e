"""Media on S3-compatible object storage (AWS S3, MinIO, Ceph, Garage...): the Storage protocol over
signed HTTP, for nodes that run on more than one machine.

The object store is the admin's own service, so it is reached with a client of its own rather than
the SSRF-guarded one that talks to peers (object stores often live on private addresses). URLs
handed to clients are the CDN's when FEDIHUB_S3_PUBLIC_URL is set, presigned when the bucket is
private (FEDIHUB_S3_SIGNED_URLS=true), else the bucket's own address. Objects under `restricted/`
are written without the public-read ACL and their URLs are never handed out: the node serves them
through its checking route (a bucket policy or CDN in front must not expose that prefix either).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import httpx

from fedihub.errors import NotFound, RemoteUnavailable
from fedihub.media import sigv4
from fedihub.media.storage import check_key, is_restricted


@dataclass(frozen=True)
class S3Config:
    endpoint: str  # https://s3.eu-central-1.amazonaws.com or http://minio:9000
    bucket: str
    region: str = "us-east-1"
    access_key: str = ""
    secret_key: str = ""
    path_style: bool = True  # endpoint/bucket/key; False: bucket.endpoint/key (virtual host)
    public_url: str = ""  # a CDN or public base URL in front of the bucket
    signed_urls: bool = False
    url_ttl_s: int = 3600


class S3Storage:
    def __init__(self, config: S3Config, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        # the object store is the admin's own service, often on a private address: a client of its
        # own, not the SSRF-guarded one for peers; closed with the storage unless it was lent
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=30)

    async def close(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def object_url(self, key: str) -> str:
        key = quote(check_key(key), safe="/-_.~")
        endpoint = self.config.endpoint.rstrip("/")
        if self.config.path_style:
            return f"{endpoint}/{self.config.bucket}/{key}"
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{self.config.bucket}.{parts.netloc}/{key}"

    def _bucket_url(self) -> str:
        endpoint = self.config.endpoint.rstrip("/")
        if self.config.path_style:
            return f"{endpoint}/{self.config.bucket}"
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{self.config.bucket}.{parts.netloc}/"

    async def _send(
        self, method: str, url: str, body: bytes = b"", extra: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = sigv4.sign_headers(
            method,
            url,
            body,
            at=datetime.now(UTC),
            region=self.config.region,
            access_key=self.config.access_key,
            secret_key=self.config.secret_key,
            extra=extra,
        )
        try:
            return await self._client.request(method, url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise RemoteUnavailable(f"object storage unreachable: {exc}") from None

    async def ensure_bucket(self) -> None:
        response = await self._send("PUT", self._bucket_url())
        if response.status_code not in (200, 409) and "BucketAlready" not in response.text:
            raise RemoteUnavailable(
                f"cannot create bucket {self.config.bucket}: {response.status_code}"
            )

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        extra = {"content-type": content_type}
        if not self.config.signed_urls and not is_restricted(key):
            # URLs handed to clients are plain: the object must be readable without credentials
            extra["x-amz-acl"] = "public-read"
        response = await self._send("PUT", self.object_url(key), data, extra)
        if response.status_code >= 300:
            raise RemoteUnavailable(f"object storage refused {key}: {response.status_code}")

    async def get(self, key: str) -> bytes:
        response = await self._send("GET", self.object_url(key))
        if response.status_code == 404:
            raise NotFound(f"no stored object {key}")
        if response.status_code >= 300:
            raise RemoteUnavailable(f"object storage answered {response.status_code} for {key}")
        return response.content

    async def delete(self, key: str) -> None:
        response = await self._send("DELETE", self.object_url(key))
        if response.status_code >= 300 and response.status_code != 404:
            raise RemoteUnavailable(
                f"object storage refused to delete {key}: {response.status_code}"
            )

    def url(self, key: str) -> str:
        if self.config.public_url:
            return f"{self.config.public_url.rstrip('/')}/{quote(check_key(key), safe='/-_.~')}"
        if self.config.signed_urls:
            return sigv4.presign(
                self.object_url(key),
                at=datetime.now(UTC),
                expires_s=self.config.url_ttl_s,
                region=self.config.region,
                access_key=self.config.access_key,
                secret_key=self.config.secret_key,
            )
        return self.object_url(key)

    async def aclose(self) -> None:
        await self._client.aclose()
