"""Signed-cookie sessions for the node's pages, and CSRF protection for every form.

A session holds the user id, the user's `session_epoch` at sign-in and the key of its WebSession
row (device, address, last use: listed on the settings page, where revoking it ends it at once).
Bumping the epoch (password change, disabling the account, "sign out everywhere") ends every
session made before it. A password accepted for an account with two-factor sign-in makes only a
pending sign-in (user, epoch, time) that the second step completes within PENDING_S. CSRF
tokens are per session and checked on every unsafe request to a page (not the API, which uses
bearer tokens).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime, timedelta

from quart import request, session

from fedihub import models
from fedihub.errors import Forbidden

_USER = "uid"
_EPOCH = "epoch"
_CSRF = "csrf"
_KEY = "sid"
_PENDING = "pending_2fa"
CSRF_FIELD = "csrf_token"
PENDING_S = 300  # the second step of a sign-in must follow the password within this time
TOUCH_EVERY = timedelta(minutes=5)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def login_user(user: models.User) -> None:
    """Sign this browser in: a fresh cookie and a WebSession row for the settings' list."""
    session.clear()
    key = secrets.token_urlsafe(32)
    await models.WebSession.create(
        user_id=user.id,
        key_hash=_digest(key),
        user_agent=request.headers.get("User-Agent", "")[:512],
        ip=(request.remote_addr or "")[:64] or None,
        last_used_at=datetime.now(UTC),
    )
    session[_USER] = str(user.id)
    session[_EPOCH] = user.session_epoch
    session[_KEY] = key
    session[_CSRF] = secrets.token_urlsafe(32)
    session.permanent = True


async def logout_user() -> None:
    key = session.get(_KEY)
    if key:
        await models.WebSession.filter(key_hash=_digest(str(key))).update(
            revoked_at=datetime.now(UTC)
        )
    session.clear()


def current_key_hash() -> str | None:
    """The digest of this browser's session key, to mark "this device" in the list."""
    key = session.get(_KEY)
    return _digest(str(key)) if key else None


def begin_second_step(user: models.User) -> None:
    """The password was right and the account has two factors: remember who, for PENDING_S."""
    csrf = session.get(_CSRF)
    session.clear()
    if csrf:
        session[_CSRF] = csrf
    session[_PENDING] = [str(user.id), user.session_epoch, int(time.time())]


async def pending_user() -> models.User | None:
    """The user whose password this browser gave in the last PENDING_S, awaiting the code."""
    pending = session.get(_PENDING)
    if not isinstance(pending, list) or len(pending) != 3:
        return None
    try:
        user_id, epoch, at = int(pending[0]), int(pending[1]), int(pending[2])
    except (TypeError, ValueError):
        return None
    if time.time() - at > PENDING_S:
        session.pop(_PENDING, None)
        return None
    user = await models.User.get_or_none(id=user_id).prefetch_related("actor")
    if user is None or user.disabled or user.session_epoch != epoch:
        session.pop(_PENDING, None)
        return None
    return user


async def current_user() -> models.User | None:
    """The signed-in user, or None when there is none or the session was ended since."""
    raw = session.get(_USER)
    if raw is None:
        return None
    try:
        user_id = int(raw)
    except (TypeError, ValueError):
        session.clear()
        return None
    key = session.get(_KEY)
    row = await models.WebSession.get_or_none(key_hash=_digest(str(key))) if key else None
    if row is None or row.revoked_at is not None or row.user_id != user_id:
        session.clear()
        return None
    user = await models.User.get_or_none(id=user_id).prefetch_related("actor")
    if user is None or user.disabled or user.session_epoch != session.get(_EPOCH):
        session.clear()
        return None
    now = datetime.now(UTC)
    if row.last_used_at is None or row.last_used_at < now - TOUCH_EVERY:
        # one write per TOUCH_EVERY, not per request
        await models.WebSession.filter(id=row.id).update(last_used_at=now)
    return user


async def still_signed_in(user_id: int, epoch: int, key_hash: str | None) -> bool:
    """Whether a session that was signed in (as current_user saw it) still is: for responses
    that outlast the request, such as a live stream."""
    if key_hash is None:
        return False
    alive = models.WebSession.filter(key_hash=key_hash, user_id=user_id, revoked_at=None)
    if not await alive.exists():
        return False
    return await models.User.filter(id=user_id, session_epoch=epoch, disabled=False).exists()


def csrf_token() -> str:
    """This session's CSRF token (made on first use); templates put it in every form."""
    token = session.get(_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        session[_CSRF] = token
    return str(token)


async def require_csrf() -> None:
    """Raise Forbidden unless the submitted form carries this session's CSRF token."""
    form = await request.form
    sent = form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token", "")
    expected = session.get(_CSRF)
    if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
        raise Forbidden(
            "the form has expired or did not come from this site; reload it and try again"
        )
