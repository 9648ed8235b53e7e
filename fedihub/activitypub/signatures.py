"""HTTP signatures: draft-cavage-12 (what Mastodon sends) and RFC 9421, plus body digests.

Protocol only: imports nothing of fedihub but `errors`. Keys are `cryptography` objects (signing)
or PEM strings (verifying; parsed once and cached); fetching keys is the caller's business. The
flow for an incoming request is `parse` → `require_components` → `check_date` → `check_digest`
(every digest header present must match, and those in `covered_digests` must be present) →
`verify`; accounts/signers.py runs it for every signed request the node receives.

Signing follows Mastodon (app/lib/request.rb): rsa-sha256 over every header it sets except
User-Agent/Accept-Encoding, i.e. "(request-target) host date" (+ accept) for GET and
"(request-target) host date digest" (+ content-type) for POST. The pieces live beside this
module: `_cavage` (Signature header and signing string), `_rfc9421` (signature bases), `_sfv`
(structured fields), `digests` (Digest and Content-Digest)."""

from __future__ import annotations

import base64
import functools
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from fedihub.activitypub import _cavage, _rfc9421, _sfv
from fedihub.activitypub.digests import check_digest, content_digest_header, digest_header
from fedihub.errors import BadSignature, StaleSignature

__all__ = [
    "SignatureAuth",
    "SignedRequest",
    "check_date",
    "check_digest",
    "content_digest_header",
    "covered_digests",
    "digest_header",
    "parse",
    "require_components",
    "sign_cavage",
    "sign_rfc9421",
    "verify",
]

REQUEST_TARGET = _cavage.REQUEST_TARGET
CAVAGE_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
RFC9421_ALGORITHMS = frozenset({"rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519"})


@dataclass(frozen=True)
class SignedRequest:
    scheme: Literal["cavage", "rfc9421"]
    key_id: str
    algorithm: str  # "" when the sender named none (the key decides)
    components: tuple[str, ...]  # lower-case names: "(request-target)", "host", "@method" …
    base: str  # the exact string the signature covers
    signature: bytes
    created: int | None = None
    expires: int | None = None
    # Mastodon before 4.3 left the query out of (request-target); its verifier still accepts that
    # (app/lib/signed_request.rb), so we try this base too when the request has a query.
    fallback_base: str | None = None


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


# ---- signing ---------------------------------------------------------------------------------


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _sign_bytes(private_key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def sign_cavage(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
) -> dict[str, str]:
    """The headers to add (Date, Host, Digest for bodies, Signature), signed as Mastodon does."""
    h = _lower(headers)
    added: dict[str, str] = {}
    if "date" not in h:
        added["Date"] = h["date"] = format_datetime(datetime.now(UTC), usegmt=True)
    if "host" not in h:
        added["Host"] = h["host"] = _host(url)
    names = [REQUEST_TARGET, "host", "date"]
    if body is not None:
        added["Digest"] = h["digest"] = digest_header(body)
        names.append("digest")
    # Mastodon also covers the Accept of its fetches and the Content-Type of its deliveries.
    names += [n for n in ("accept", "content-type") if n in h]
    h[REQUEST_TARGET] = f"{method.lower()} {_path(url)}"
    base = "\n".join(f"{n}: {h[n]}" for n in names)
    signature = base64.b64encode(_sign_bytes(private_key, base.encode("utf-8"))).decode("ascii")
    added["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{signature}"'
    )
    return added


def sign_rfc9421(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
) -> dict[str, str]:
    """The headers to add (Content-Digest for bodies, Signature-Input, Signature) per RFC 9421."""
    h = _lower(headers)
    added: dict[str, str] = {}
    components = ["@method", "@target-uri"]
    if body is not None:
        added["Content-Digest"] = h["content-digest"] = content_digest_header(body)
        components.append("content-digest")
    params: dict[str, _sfv.Bare] = {
        "created": int(time.time()),
        "keyid": key_id,
        "alg": "rsa-v1_5-sha256",
    }
    items: list[_sfv.Item] = [(c, {}) for c in components]
    # The verifier rebuilds @target-uri from the Host header, so sign what it will see.
    authority = h.get("host") or _host(url)
    target = _rfc9421.Target(method.upper(), urlsplit(url).scheme, authority, _path(url))
    base, _ = _rfc9421.signature_base(target, h, items, params)
    signature = _sign_bytes(private_key, base.encode("utf-8"))
    added["Signature-Input"] = f"sig1={_sfv.serialize_inner_list(items, params)}"
    added["Signature"] = f"sig1=:{base64.b64encode(signature).decode('ascii')}:"
    return added


# ---- parsing ---------------------------------------------------------------------------------


def parse(
    method: str,
    path_with_query: str,
    headers: Mapping[str, str],
    *,
    scheme: str = "https",
    authority: str | None = None,
) -> SignedRequest:
    """Read the signature of an incoming request and rebuild the string it must cover.

    RFC 9421 needs the full target URI: `authority` defaults to the Host header, `scheme` to https
    (the node sits behind TLS; pass the real one when it does not).
    """
    h = _lower(headers)
    if "signature-input" in h:
        if "signature" not in h:
            raise BadSignature("Signature-Input without a Signature header")
        return _parse_rfc9421(method, path_with_query, h, scheme, authority)
    raw = h.get("signature")
    if raw is None:
        auth = h.get("authorization", "")
        if auth[:10].lower() == "signature ":
            raw = auth[10:]
    if raw is None:
        raise BadSignature("no Signature header")
    return _parse_cavage(method, path_with_query, h, raw)


def _parse_cavage(method: str, path: str, h: dict[str, str], raw: str) -> SignedRequest:
    params = _cavage.parse_params(raw)
    algorithm = params.get("algorithm", "").lower()
    if algorithm and algorithm not in CAVAGE_ALGORITHMS:
        raise BadSignature(f"unsupported signature algorithm {algorithm!r}")
    # Mastodon's defaults: an absent algorithm means hs2019, which covers (created) by default.
    default = "date" if algorithm == "rsa-sha256" else "(created)"
    names = params.get("headers", default).lower().split()
    if not names:
        raise BadSignature("Signature header covers no headers")
    created = _cavage.int_param(params, "created")
    expires = _cavage.int_param(params, "expires")
    base, fallback = _cavage.signing_string(names, method, path, h, created, expires)
    return SignedRequest(
        scheme="cavage",
        key_id=params["keyId"],
        algorithm=algorithm,
        components=tuple(names),
        base=base,
        signature=_b64(params["signature"]),
        created=created,
        expires=expires,
        fallback_base=fallback,
    )


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except ValueError:  # binascii.Error, and the plain ValueError of a non-ASCII string
        raise BadSignature("signature is not valid base64") from None


def _parse_rfc9421(
    method: str, path: str, h: dict[str, str], scheme: str, authority: str | None
) -> SignedRequest:
    try:
        inputs = _sfv.parse_dictionary(h["signature-input"])
        signatures = _sfv.parse_dictionary(h["signature"])
    except ValueError as exc:
        raise BadSignature(f"malformed signature field: {exc}") from None
    # A message may carry several signatures (a proxy's, say); take the first we can pair up.
    label = next((name for name in inputs if name in signatures), None)
    if label is None:
        raise BadSignature("no Signature matches a Signature-Input label")
    items, params = inputs[label]
    sig_value = signatures[label][0]
    if not isinstance(items, list) or not isinstance(sig_value, bytes):
        raise BadSignature("signature fields have the wrong shape")
    algorithm = str(params.get("alg", "")).lower()
    if algorithm and algorithm not in RFC9421_ALGORITHMS:
        raise BadSignature(f"unsupported signature algorithm {algorithm!r}")
    key_id = params.get("keyid")
    if not isinstance(key_id, str) or not key_id:
        raise BadSignature("Signature-Input has no keyid")
    authority = (authority or h.get("host", "")).lower()
    if not authority:
        raise BadSignature("no Host header to rebuild the target URI from")
    target = _rfc9421.Target(method.upper(), scheme.lower(), authority, path)
    base, names = _rfc9421.signature_base(target, h, items, params)
    created, expires = params.get("created"), params.get("expires")
    return SignedRequest(
        scheme="rfc9421",
        key_id=key_id,
        algorithm=algorithm,
        components=tuple(names),
        base=base,
        signature=sig_value,
        created=created if isinstance(created, int) else None,
        expires=expires if isinstance(expires, int) else None,
    )


# ---- checks ----------------------------------------------------------------------------------


def require_components(signed: SignedRequest, for_post: bool) -> None:
    """Raise BadSignature naming what a signature leaves uncovered that we rely on."""
    covered = set(signed.components)
    missing = []
    if signed.scheme == "cavage":
        if REQUEST_TARGET not in covered:
            missing.append(REQUEST_TARGET)
        if "host" not in covered:
            missing.append("host")
        if "date" not in covered and "(created)" not in covered:
            missing.append("date")
        if for_post and "digest" not in covered:
            missing.append("digest")
    else:
        if "@method" not in covered:
            missing.append("@method")
        if "@target-uri" not in covered and not (
            "@authority" in covered and ("@path" in covered or "@request-target" in covered)
        ):
            missing.append("@target-uri")
        if signed.created is None:
            missing.append("created")
        if for_post and "content-digest" not in covered:
            missing.append("content-digest")
    if missing:
        raise BadSignature("signature does not cover " + ", ".join(missing))


def covered_digests(signed: SignedRequest) -> tuple[str, ...]:
    """The digest headers ("digest", "content-digest") the signature covers: check_digest must
    find each of them, besides checking every digest header the request carries."""
    return tuple(name for name in ("digest", "content-digest") if name in signed.components)


def check_date(
    headers: Mapping[str, str],
    now: float,
    window_s: int = 3600,
    *,
    signed: SignedRequest | None = None,
) -> None:
    """Date (and the signature's created/expires, when given) within window_s of now."""
    h = _lower(headers)
    stamps: list[float] = []
    if signed is not None and signed.created is not None:
        stamps.append(signed.created)
    if "date" in h:
        try:
            stamps.append(parsedate_to_datetime(h["date"]).timestamp())
        except (TypeError, ValueError):
            raise BadSignature("malformed Date header") from None
    if not stamps:
        raise BadSignature("no Date header")
    if any(abs(now - stamp) > window_s for stamp in stamps):
        raise StaleSignature()
    if signed is not None and signed.expires is not None and signed.expires < now:
        raise StaleSignature("signature has expired")


PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey


@functools.lru_cache(maxsize=4096)
def _load_public(public_key_pem: str) -> PublicKey:
    # Cached by PEM text: peers sign with the same few keys, and parsing costs more than verifying.
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
    except (ValueError, UnsupportedAlgorithm, UnicodeEncodeError):
        raise BadSignature("the actor's public key cannot be read") from None
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise BadSignature("the actor's key is neither RSA nor Ed25519")
    return key


def verify(signed: SignedRequest, public_key_pem: str | PublicKey) -> None:
    """Raise BadSignature unless the signature over `signed.base` was made by this key
    (a PEM string, parsed once and cached, or a key object)."""
    key = _load_public(public_key_pem) if isinstance(public_key_pem, str) else public_key_pem
    bases = [signed.base] + ([signed.fallback_base] if signed.fallback_base else [])
    for base in bases:
        try:
            _verify_one(key, signed.algorithm, signed.signature, base.encode("utf-8"))
            return
        except InvalidSignature:
            pass
    raise BadSignature("signature does not verify with the actor's key")


def _verify_one(key: PublicKey, algorithm: str, signature: bytes, data: bytes) -> None:
    if isinstance(key, ed25519.Ed25519PublicKey):
        if algorithm not in ("", "hs2019", "ed25519"):
            raise BadSignature(f"algorithm {algorithm} does not fit an Ed25519 key")
        key.verify(signature, data)
    elif algorithm == "rsa-pss-sha512":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
        key.verify(signature, data, pss, hashes.SHA512())
    elif algorithm == "ed25519":
        raise BadSignature("algorithm ed25519 does not fit an RSA key")
    else:
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


# ---- outgoing requests -------------------------------------------------------------------------


class SignatureAuth(httpx.Auth):
    """Signs each outgoing request (GET and POST) as `key_id`; scheme "cavage" or "rfc9421"."""

    requires_request_body = True

    def __init__(
        self, key_id: str, private_key: rsa.RSAPrivateKey | str, scheme: str = "cavage"
    ) -> None:
        if isinstance(private_key, str):
            loaded = serialization.load_pem_private_key(private_key.encode("ascii"), None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise ValueError("SignatureAuth needs an RSA private key")
            private_key = loaded
        if scheme not in ("cavage", "rfc9421"):
            raise ValueError(f"unknown signature scheme {scheme!r}")
        self.key_id = key_id
        self.private_key = private_key
        self.scheme = scheme

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = request.content if request.method not in ("GET", "HEAD") else None
        sign = sign_cavage if self.scheme == "cavage" else sign_rfc9421
        added = sign(
            request.method,
            str(request.url),
            dict(request.headers),
            body,
            self.key_id,
            self.private_key,
        )
        request.headers.update(added)
        yield request
