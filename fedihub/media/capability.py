"""Capability URLs for restricted files: the checking route's URL (media/placement.py) with an
expiry and an HMAC signature over the storage key and that expiry, so Mastodon apps, which load
images with plain GETs carrying no token or cookie (Tusky, Elk, Phanpy, Ivory, Mastodon.py),
show the pictures of followers-only and direct posts.

Why a viewer-independent signature is acceptable: such a URL is put only into entities and pages
rendered for someone who may see the post (api/entities/status.py renders nothing else), as
Mastodon's own unguessable media URLs are, so holding it proves one was shown the post. Unlike
those it expires: a URL handed on (or left in a log) stops working within `VALIDITY_S`, and the
file moving (the post made public, or deleted) ends it at once, since it is bound to the
storage key. It is no weaker than a viewer who saves the file and passes that on.

Expiries are rounded up to a `BUCKET_S` boundary, so every rendering within one bucket gives the
same URL and apps and proxies can cache the file; a URL stays valid between
`VALIDITY_S - BUCKET_S` and `VALIDITY_S` after it is given out. The key is derived from the
node's session key (security/keys.py), never a constant. ActivityPub documents keep the plain
route's URL: peers fetch it signed, as their node (social/media_access.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from fedihub.media import storage
from fedihub.runtime import Runtime

VALIDITY_S = 7 * 86400
BUCKET_S = 86400
_PURPOSE = "media capability v1"
EXPIRES = "expires"
SIGNATURE = "sig"

# the clock, replaceable in tests
now: Callable[[], float] = time.time


@dataclass(frozen=True)
class Grant:
    key: str
    expires: int

    def remaining(self) -> int:
        return max(0, self.expires - int(now()))


def _signature(rt: Runtime, key: str, expires: int) -> str:
    message = f"{key}\n{expires}".encode()
    digest = hmac.new(rt.secrets.derived(_PURPOSE), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def expiry(at: float | None = None) -> int:
    """The expiry given out at `at` (now by default): the end of this bucket plus the validity
    less one bucket."""
    moment = int(now() if at is None else at)
    return (moment // BUCKET_S + 1) * BUCKET_S + VALIDITY_S - BUCKET_S


def signed_url(rt: Runtime, key: str) -> str:
    """The restricted file's capability URL (its plain route plus expiry and signature)."""
    expires = expiry()
    query = urlencode({EXPIRES: expires, SIGNATURE: _signature(rt, key, expires)})
    return f"{rt.urls.media(key)}?{query}"


def verify(rt: Runtime, key: str, expires: str | None, signature: str | None) -> Grant | None:
    """The grant these query values give for `key`, or None when they are missing, malformed,
    signed for another key or expiry, or past their expiry."""
    if not expires or not signature or not storage.is_restricted(key):
        return None
    if not expires.isascii() or not expires.isdigit() or len(expires) > 12:
        return None
    moment = int(expires)
    if moment <= int(now()):
        return None
    if not hmac.compare_digest(_signature(rt, key, moment).encode(), signature.encode("utf-8")):
        return None
    return Grant(key=key, expires=moment)
