"""Bearer-token authentication and scope checks for API views.

`@require_scope("read:accounts")` authenticates the token (Authorization header, or `access_token`
in the query or form, as Mastodon allows), loads the user, checks the scope, and leaves both on `g`
for `current_user()` / `current_token()`. Public endpoints call `await optional_user()`.
Messages are Mastodon's, word for word: clients match on them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from quart import g, request

from fedihub import models
from fedihub.accounts import oauth
from fedihub.errors import Forbidden, Invalid, Unauthorized

P = ParamSpec("P")
R = TypeVar("R")
INVALID_TOKEN = "The access token is invalid"
OUT_OF_SCOPE = "This action is outside the authorized scopes"
NEEDS_USER = "This method requires an authenticated user"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def bearer_value() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    value = request.args.get("access_token")
    if value is None and request.mimetype in _FORM_TYPES:
        value = (await request.form).get("access_token")
    return value or None


async def authenticate() -> models.OAuthToken | None:
    """The request's token, None if it sent none; Unauthorized for a bad one. Cached on `g`."""
    if hasattr(g, "_api_token"):
        cached: models.OAuthToken | None = g._api_token
        return cached
    value = await bearer_value()
    token = None
    user = None
    if value is not None:
        token = await oauth.token_by_value(value)
        if token is None:
            raise Unauthorized(INVALID_TOKEN)
        user = await oauth.user_for_token(token)
        await oauth.touch(token)
    g._api_token = token
    g._api_user = user
    return token


def current_token() -> models.OAuthToken | None:
    return getattr(g, "_api_token", None)


def current_user() -> models.User:
    """The authenticated user of a view behind `require_scope` (the actor is loaded)."""
    user: models.User | None = getattr(g, "_api_user", None)
    if user is None:
        raise Invalid(NEEDS_USER)
    return user


def current_actor() -> models.Actor:
    return current_user().actor


async def optional_user() -> models.User | None:
    """The user behind a valid token, or None for an anonymous request; a bad token still fails."""
    await authenticate()
    return getattr(g, "_api_user", None)


async def check_scope(*scopes: str, user: bool = True) -> models.OAuthToken:
    token = await authenticate()
    if token is None:
        raise Unauthorized(INVALID_TOKEN)
    if scopes and not oauth.allows(token.scopes, *scopes):
        raise Forbidden(OUT_OF_SCOPE)
    if user and getattr(g, "_api_user", None) is None:
        raise Invalid(NEEDS_USER)
    return token


def require_scope(
    *scopes: str, user: bool = True
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Decorate a view: a valid token granting any one of `scopes` (and, by default, a user)."""

    def decorate(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @wraps(view)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            await check_scope(*scopes, user=user)
            return await view(*args, **kwargs)

        return wrapper

    return decorate


def token_key() -> str:
    """What the rate limiter counts by: the token if one was sent, else the client address."""
    header = request.headers.get("Authorization", "")
    value: str | None = request.args.get("access_token")
    if header[:7].lower() == "bearer ":
        value = header[7:].strip()
    if value:
        return "t:" + oauth.digest(value)
    return "ip:" + (request.remote_addr or "-")
