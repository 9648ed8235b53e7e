"""Two-factor sign-in (TOTP) of local users: setup confirmed by a first code, ten recovery codes
(shown once, stored hashed, each good once), the check at sign-in, and turning it off.

A code's time step is remembered when accepted, so the same code (or an older one) never works
twice. Failed codes are throttled per account (FAILURES in WINDOW_S) whichever door they come
through: the sign-in page, the authorize page or the settings. The secret is stored sealed with
the node's KEK (security/totp.py) and shown only while it is being set up.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from fedihub import models
from fedihub.errors import Conflict, Invalid, RateLimited, Unauthorized
from fedihub.runtime import Runtime
from fedihub.security import passwords, totp

RECOVERY_CODES = 10
FAILURES = 5
WINDOW_S = 300.0
ISSUER_FALLBACK = "fedihub"


def _digest(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


async def enabled(user_id: int) -> bool:
    return await models.TwoFactor.filter(user_id=user_id, enabled=True).exists()


async def begin(rt: Runtime, user: models.User) -> str:
    """A new secret for a setup not yet confirmed (replacing an unconfirmed one), in plain."""
    if await enabled(user.id):
        raise Conflict("two-factor sign-in is already on")
    secret = totp.new_secret()
    sealed = totp.seal(secret, rt.secrets.kek)
    row = await models.TwoFactor.get_or_none(user_id=user.id)
    if row is None:
        await models.TwoFactor.create(user_id=user.id, secret_sealed=sealed)
    else:
        row.secret_sealed, row.last_step = sealed, 0
        await row.save(update_fields=["secret_sealed", "last_step"])
    return secret


async def pending_secret(rt: Runtime, user: models.User) -> str | None:
    """The secret of a setup begun and not yet confirmed, to show its QR code again."""
    row = await models.TwoFactor.get_or_none(user_id=user.id, enabled=False)
    return totp.unseal(row.secret_sealed, rt.secrets.kek) if row is not None else None


def provisioning_uri(rt: Runtime, user: models.User, secret: str) -> str:
    account = f"{user.username_key}@{rt.urls.domain}"
    return totp.uri(secret, account, rt.urls.domain or ISSUER_FALLBACK)


async def _throttled(rt: Runtime, user: models.User) -> None:
    if await rt.limiter.exceeded(f"2fa:user:{user.id}", FAILURES, WINDOW_S):
        raise RateLimited("too many wrong codes; wait a few minutes and try again")


async def _failed(rt: Runtime, user: models.User) -> None:
    await rt.limiter.hit(f"2fa:user:{user.id}", FAILURES, WINDOW_S)


async def _take_step(
    rt: Runtime, row: models.TwoFactor, code: str, *, when: float | None = None
) -> bool:
    """Accept a TOTP code once: its step must be newer than the last accepted one, claimed with
    a conditional update so two requests with one code cannot both pass."""
    secret = totp.unseal(row.secret_sealed, rt.secrets.kek)
    secret_step = totp.matching_step(secret, code, when)
    if secret_step is None or secret_step <= row.last_step:
        return False
    claimed = await models.TwoFactor.filter(id=row.id, last_step__lt=secret_step).update(
        last_step=secret_step
    )
    return bool(claimed)


async def confirm(rt: Runtime, user: models.User, code: str) -> list[str]:
    """Turn two-factor sign-in on with a first code from the app; the recovery codes, shown once."""
    await _throttled(rt, user)
    row = await models.TwoFactor.get_or_none(user_id=user.id, enabled=False)
    if row is None:
        raise Conflict("begin the setup first")
    if not await _take_step(rt, row, code):
        await _failed(rt, user)
        raise Invalid("the code is wrong or has expired", field="code")
    await models.TwoFactor.filter(id=row.id).update(enabled=True)
    return await new_recovery_codes(user)


async def new_recovery_codes(user: models.User) -> list[str]:
    """Ten fresh recovery codes replacing the old ones; only their digests are kept."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    await models.RecoveryCode.filter(user_id=user.id).delete()
    await models.RecoveryCode.bulk_create(
        [models.RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes]
    )
    return codes


async def remaining_recovery_codes(user: models.User) -> int:
    return await models.RecoveryCode.filter(user_id=user.id, used_at=None).count()


async def verify(rt: Runtime, user: models.User, code: str, *, when: float | None = None) -> None:
    """Pass a sign-in's second step with a TOTP code or an unused recovery code, else raise
    Unauthorized (RateLimited after too many failures, before looking at the code)."""
    await _throttled(rt, user)
    row = await models.TwoFactor.get_or_none(user_id=user.id, enabled=True)
    if row is None:
        return
    if await _take_step(rt, row, code, when=when):
        return
    normal = _normal(code)
    if len(normal) == 10:
        digest = _digest(normal)
        for candidate in await models.RecoveryCode.filter(user_id=user.id, used_at=None):
            if hmac.compare_digest(candidate.code_hash, digest):
                used = await models.RecoveryCode.filter(id=candidate.id, used_at=None).update(
                    used_at=datetime.now(UTC)
                )
                if used:
                    return
    await _failed(rt, user)
    raise Unauthorized("the two-factor code is wrong or was used already")


async def replace_recovery_codes(rt: Runtime, user: models.User, code: str) -> list[str]:
    """New recovery codes for a current code (or one of the old recovery codes)."""
    if not await enabled(user.id):
        raise Invalid("two-factor sign-in is off", field="code")
    try:
        await verify(rt, user, code)
    except Unauthorized:
        raise Invalid("the code is wrong or has expired", field="code") from None
    return await new_recovery_codes(user)


async def disable(rt: Runtime, user: models.User, password: str, code: str) -> None:
    """Turn two-factor sign-in off: the password and a current code (or a recovery code)."""
    ok = await asyncio.to_thread(passwords.verify_password, user.password_hash, password)
    if not ok:
        raise Invalid("the password is wrong", field="password")
    try:
        await verify(rt, user, code)
    except Unauthorized:
        raise Invalid("the code is wrong or has expired", field="code") from None
    await models.TwoFactor.filter(user_id=user.id).delete()
    await models.RecoveryCode.filter(user_id=user.id).delete()
