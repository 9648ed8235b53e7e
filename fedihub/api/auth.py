"""Bearer-token authentication and scope checks for API views: every API route declares, beside
its route, what it asks of a token, with one of four decorators (Mastodon's controllers in
brackets):

- `@require_scope("read:statuses")`: a token granting one of the scopes, and a user unless
  `user=False` [`doorkeeper_authorize! :read, :'read:statuses'` and `require_user!`];
- `@scope_if_token("read:statuses")`: open to anonymous visitors, but a token that is sent must be
  valid and grant one of the scopes, else 403 [`authorize_if_got_token! :read, :'read:statuses'`];
- `@ignores_token`: the answer is the same for everyone and no token is looked at (instance,
  OAuth endpoints);
- `@scope_per_stream`: streaming, where each stream has its scopes (api/streaming.STREAM_SCOPES).

The declaration is kept on the view (`access_of(view)`), and tests/api/test_scopes.py walks the
app's routes with a token of every scope against it: a route without one fails that test. A view
reads the user only after its declaration's check ran (`optional_user()` raises otherwise), so no
route can show a token's owner what its scopes do not cover. Umbrella scopes open up as
accounts/oauth.IMPLIES says (`read` covers every `read:*`, `follow` the follow, block and mute
scopes). The token comes in the Authorization header, or as `access_token` in the query or form,
as Mastodon allows. Messages are Mastodon's, word for word: clients match on them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from functools import wraps
from typing import Any, ParamSpec, TypeVar

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
_ACCESS = "fedihub_access"


class Token(Enum):
    """How a route treats the bearer token."""

    REQUIRED = "required"  # no token: 401
    IF_SENT = "if sent"  # no token: anonymous; a sent one is checked
    IGNORED = "ignored"  # never read
    PER_STREAM = "per stream"  # streaming: checked per stream


@dataclass(frozen=True)
class Access:
    """What a route asks of a token: `scopes` are alternatives (any one grants; none: any valid
    token), `user` whether the token must belong to a user (not an app's own token)."""

    token: Token
    scopes: tuple[str, ...] = ()
    user: bool = False


def access_of(view: Callable[..., Any]) -> Access | None:
    """The access a view declared, None when it declared none."""
    return getattr(view, _ACCESS, None)


def _declare(
    access: Access, check: Callable[[], Awaitable[None]] | None
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    def decorate(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @wraps(view)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if check is not None:
                await check()
            g._api_access = access
            return await view(*args, **kwargs)

        setattr(wrapper, _ACCESS, access)
        return wrapper

    return decorate


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
    """The user behind the request's token, None for an anonymous one: only in a view whose
    declaration checked the token's scopes (`scope_if_token` or `require_scope`)."""
    access: Access | None = getattr(g, "_api_access", None)
    if access is None or access.token not in (Token.REQUIRED, Token.IF_SENT):
        # a programming error, not a client's: a view would read a user it never checked
        raise RuntimeError(f"{request.endpoint} reads the token's user without a scope check")
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
    """A valid token granting any one of `scopes` (none given: any valid token) and, by default,
    a user; 401 without a token, 403 outside its scopes."""

    async def check() -> None:
        await check_scope(*scopes, user=user)

    return _declare(Access(Token.REQUIRED, scopes, user), check)


def scope_if_token(
    *scopes: str,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Anonymous visitors are served; a token that is sent must grant one of `scopes` (403
    otherwise), so a `profile` or `push` token cannot read what its owner may see."""

    async def check() -> None:
        token = await authenticate()
        if token is not None and not oauth.allows(token.scopes, *scopes):
            raise Forbidden(OUT_OF_SCOPE)

    return _declare(Access(Token.IF_SENT, scopes), check)


def ignores_token(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """The route answers everyone alike and never reads a token."""
    return _declare(Access(Token.IGNORED), None)(view)


def scope_per_stream(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Streaming: the view checks the token against each stream's scopes itself."""
    return _declare(Access(Token.PER_STREAM), None)(view)


def token_key() -> str:
    """What the rate limiter counts by: the token if one was sent, else the client address."""
    header = request.headers.get("Authorization", "")
    value: str | None = request.args.get("access_token")
    if header[:7].lower() == "bearer ":
        value = header[7:].strip()
    if value:
        return "t:" + oauth.digest(value)
    return "ip:" + (request.remote_addr or "-")
