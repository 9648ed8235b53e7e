"""Body digests for signed requests: Digest (RFC 3230, what Mastodon sends) and Content-Digest
(RFC 9530). Imports nothing of fedihub but `errors` and `_sfv`; `signatures` re-exports these.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from fedihub.activitypub import _sfv
from fedihub.errors import BadSignature


def digest_header(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def content_digest_header(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def check_digest(headers: Mapping[str, str], body: bytes) -> None:
    """Raise BadSignature unless a Content-Digest or Digest header matches the body."""
    h = _lower(headers)
    expected: list[tuple[str, bytes]] = []
    if "content-digest" in h:
        try:
            members = _sfv.parse_dictionary(h["content-digest"])
        except ValueError as exc:
            raise BadSignature(f"malformed Content-Digest: {exc}") from None
        for alg, (value, _params) in members.items():
            if isinstance(value, bytes):
                expected.append((alg.lower(), value))
    elif "digest" in h:
        for part in h["digest"].split(","):
            alg, _, value = part.strip().partition("=")
            try:
                expected.append((alg.lower(), base64.b64decode(value, validate=True)))
            except binascii.Error:
                raise BadSignature("malformed Digest header") from None
    checked = False
    for alg, value in expected:
        if alg in ("sha-256", "sha-512"):
            actual = hashlib.new(alg.replace("-", ""), body).digest()
            if not hmac.compare_digest(actual, value):
                raise BadSignature("digest does not match the body")
            checked = True
    if not checked:
        raise BadSignature("no digest" if not expected else "no supported digest algorithm")
