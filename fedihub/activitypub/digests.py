"""Body digests for signed requests: Digest (RFC 3230, what Mastodon sends) and Content-Digest
(RFC 9530). Imports nothing of fedihub but `errors` and `_sfv`; `signatures` re-exports these.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

from fedihub.activitypub import _sfv
from fedihub.errors import BadSignature


def digest_header(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def content_digest_header(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _content_digests(value: str) -> list[tuple[str, bytes]]:
    try:
        members = _sfv.parse_dictionary(value)
    except ValueError as exc:
        raise BadSignature(f"malformed Content-Digest: {exc}") from None
    return [(alg.lower(), v) for alg, (v, _params) in members.items() if isinstance(v, bytes)]


def _digests(value: str) -> list[tuple[str, bytes]]:
    found = []
    for part in value.split(","):
        alg, _, encoded = part.strip().partition("=")
        try:
            found.append((alg.lower(), base64.b64decode(encoded, validate=True)))
        except ValueError:  # binascii.Error, and the plain ValueError of a non-ASCII string
            raise BadSignature("malformed Digest header") from None
    return found


_READERS = {"content-digest": _content_digests, "digest": _digests}


def _check_one(name: str, value: str, body: bytes) -> None:
    """Every supported algorithm the header names must match; it must name at least one."""
    checked = False
    for alg, expected in _READERS[name](value):
        if alg in ("sha-256", "sha-512"):
            actual = hashlib.new(alg.replace("-", ""), body).digest()
            if not hmac.compare_digest(actual, expected):
                raise BadSignature(f"{name} does not match the body")
            checked = True
    if not checked:
        raise BadSignature(f"{name} names no supported digest algorithm (sha-256, sha-512)")


def check_digest(headers: Mapping[str, str], body: bytes, *, required: Iterable[str] = ()) -> None:
    """Raise BadSignature unless every digest header present (Digest, Content-Digest) matches the
    body, at least one is present, and each of `required` (lower-case names: the ones the
    signature covers) is present.

    Every header must match, not just one: a signature covers one of them, and a request whose
    other, unsigned header matches a swapped body must not pass on that header's word."""
    h = _lower(headers)
    for name in required:
        if name not in h:
            raise BadSignature(f"the signed {name} header is missing")
    present = [name for name in _READERS if name in h]
    if not present:
        raise BadSignature("no digest")
    for name in present:
        _check_one(name, h[name], body)
