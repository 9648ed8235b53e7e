"""AWS Signature Version 4 for S3-compatible object storage (header and query/presigned forms).

Small and exact: the canonical request, the string to sign and the derived key as AWS documents
them (checked against AWS's published S3 example in the tests). Imports nothing of fedihub.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlsplit

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED = "UNSIGNED-PAYLOAD"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def _signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret).encode("utf-8"), day)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def _canonical_query(pairs: list[tuple[str, str]]) -> str:
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _parse_query(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def signature(
    method: str,
    url: str,
    headers: Mapping[str, str],
    payload_hash: str,
    *,
    at: datetime,
    region: str,
    access_key: str,
    secret_key: str,
    service: str = "s3",
    query: list[tuple[str, str]] | None = None,
) -> tuple[str, str, str]:
    """(signature hex, signed header names, credential scope) for a request."""
    parts = urlsplit(url)
    day, stamp = at.strftime("%Y%m%d"), at.strftime("%Y%m%dT%H%M%SZ")
    lowered = {k.lower().strip(): " ".join(v.strip().split()) for k, v in headers.items()}
    names = sorted(lowered)
    canonical = "\n".join(
        [
            method.upper(),
            parts.path or "/",
            _canonical_query(query if query is not None else _parse_query(parts.query)),
            "".join(f"{n}:{lowered[n]}\n" for n in names),
            ";".join(names),
            payload_hash,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    sig = hmac.new(
        _signing_key(secret_key, day, region, service), to_sign.encode(), hashlib.sha256
    ).hexdigest()
    return sig, ";".join(names), scope


def sign_headers(
    method: str,
    url: str,
    body: bytes,
    *,
    at: datetime,
    region: str,
    access_key: str,
    secret_key: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The headers to send (Host, x-amz-date, x-amz-content-sha256, Authorization, and `extra`)."""
    payload_hash = hashlib.sha256(body).hexdigest()
    headers = {
        "host": urlsplit(url).netloc,
        "x-amz-date": at.strftime("%Y%m%dT%H%M%SZ"),
        "x-amz-content-sha256": payload_hash,
        **{k.lower(): v for k, v in (extra or {}).items()},
    }
    sig, signed, scope = signature(
        method,
        url,
        headers,
        payload_hash,
        at=at,
        region=region,
        access_key=access_key,
        secret_key=secret_key,
    )
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope},SignedHeaders={signed},Signature={sig}"
    )
    return headers


def presign(
    url: str, *, at: datetime, expires_s: int, region: str, access_key: str, secret_key: str
) -> str:
    """A GET URL that works without credentials until it expires (query-string signing)."""
    parts = urlsplit(url)
    scope_day = at.strftime("%Y%m%d")
    query = [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Credential", f"{access_key}/{scope_day}/{region}/s3/aws4_request"),
        ("X-Amz-Date", at.strftime("%Y%m%dT%H%M%SZ")),
        ("X-Amz-Expires", str(expires_s)),
        ("X-Amz-SignedHeaders", "host"),
    ]
    sig, _, _ = signature(
        "GET",
        url,
        {"host": parts.netloc},
        UNSIGNED,
        at=at,
        region=region,
        access_key=access_key,
        secret_key=secret_key,
        query=query,
    )
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{_canonical_query(query)}&X-Amz-Signature={sig}"
