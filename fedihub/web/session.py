"""Signed-cookie sessions for the node's pages, and CSRF protection for every form.

A session holds the user id and the user's `session_epoch` at sign-in: bumping the epoch (password
change, disabling the account, "sign out everywhere") ends every session made before it. CSRF
tokens are per session and checked on every unsafe request to a page (not the API, which uses
bearer tokens).
"""

from __future__ import annotations

import hmac
import secrets

from quart import request, session

from fedihub import models
from fedihub.errors import Forbidden

_USER = "uid"
_EPOCH = "epoch"
_CSRF = "csrf"
CSRF_FIELD = "csrf_token"


def login_user(user: models.User) -> None:
    session.clear()
    session[_USER] = str(user.id)
    session[_EPOCH] = user.session_epoch
    session[_CSRF] = secrets.token_urlsafe(32)
    session.permanent = True


def logout_user() -> None:
    session.clear()


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
    user = await models.User.get_or_none(id=user_id).prefetch_related("actor")
    if user is None or user.disabled or user.session_epoch != session.get(_EPOCH):
        session.clear()
        return None
    return user


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
