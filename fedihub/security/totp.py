"""TOTP (RFC 6238 over RFC 4226's HOTP): 30-second steps, 6 digits, HMAC-SHA-1, as authenticator
apps expect from an otpauth:// URI; and the secret sealed at rest with the node's KEK.

Pure functions: nothing here knows users or the database (accounts/two_factor.py does).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import struct
import time
from collections.abc import Callable
from urllib.parse import quote, urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

STEP_S = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of now: a phone's clock a little off still works
_AAD = b"fedihub totp secret"
_PREFIX = "v1:"
clock: Callable[[], float] = time.time  # tests move it to the next step instead of waiting


def new_secret() -> str:
    """160 random bits in base32 without padding (RFC 4226 recommends 160)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def step_at(when: float | None = None) -> int:
    return int((clock() if when is None else when) // STEP_S)


def code_at(secret: str, step: int) -> str:
    """The HOTP value of `step` (RFC 4226 section 5.3, dynamic truncation)."""
    mac = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def now(secret: str, when: float | None = None) -> str:
    return code_at(secret, step_at(when))


def matching_step(secret: str, code: str, when: float | None = None) -> int | None:
    """The step within the window whose code is `code`, or None."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    here = step_at(when)
    found = None
    for step in range(here - WINDOW, here + WINDOW + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            found = step
    return found


def uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (Google's Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_S,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def seal(secret: str, kek: bytes) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(kek).encrypt(nonce, secret.encode("ascii"), _AAD)
    return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def unseal(sealed: str, kek: bytes) -> str:
    if not sealed.startswith(_PREFIX):
        raise ValueError("not a sealed TOTP secret")
    raw = base64.b64decode(sealed[len(_PREFIX) :])
    try:
        return AESGCM(kek).decrypt(raw[:12], raw[12:], _AAD).decode("ascii")
    except InvalidTag:
        raise ValueError("the TOTP secret was sealed with another key") from None
