"""The node's VAPID key (RFC 8292): an ECDSA P-256 key that signs every Web Push request, kept in
the keys folder beside the node's other secrets and made on first use (nodes set up before Web
Push have none). Clients learn its public half as `server_key` and `vapid.public_key`."""

from __future__ import annotations

import base64
import contextlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid01, Vapid02  # type: ignore[import-untyped]

from fedihub.errors import ConfigError

VAPID_KEY_FILE = "vapid.pem"


@dataclass(frozen=True)
class VapidKey:
    key: ec.EllipticCurvePrivateKey
    public_key: str  # the uncompressed point, URL-safe base64 as Mastodon sends it

    def headers(
        self, endpoint_origin: str, subject: str, expires_at: int, *, crypto_key: str | None = None
    ) -> dict[str, str]:
        """The signature of a push to `endpoint_origin`: RFC 8292's `Authorization: vapid t=…,
        k=…`, or with `crypto_key` (the legacy draft's `dh=…`) draft 1's `Authorization: WebPush
        …` and the key in `Crypto-Key`, as Mastodon sends to subscriptions not `standard`."""
        claims = {"aud": endpoint_origin, "sub": subject, "exp": expires_at}
        if crypto_key is None:
            signed: dict[str, str] = Vapid02(private_key=self.key).sign(claims)
            return {"Authorization": signed["Authorization"]}
        legacy: dict[str, str] = Vapid01(private_key=self.key).sign(claims, crypto_key)
        return {"Authorization": legacy["Authorization"], "Crypto-Key": legacy["Crypto-Key"]}


def _public(key: ec.EllipticCurvePrivateKey) -> str:
    raw = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).decode("ascii")


@cache
def load_or_create(keys_dir: Path) -> VapidKey:
    """The key in `keys_dir`, written there (0600, never overwritten) if it is not yet: processes
    starting together keep whichever was written first."""
    path = keys_dir / VAPID_KEY_FILE
    if not path.exists():
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} cannot be read as a VAPID key: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ConfigError(f"{path} is not a P-256 key")
    return VapidKey(key=key, public_key=_public(key))
