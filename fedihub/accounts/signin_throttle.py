"""Failed sign-ins, throttled per client address and per account wherever a password is typed.

The sign-in page, the sign-in form on /oauth/authorize and the OAuth password grant count into the
same keys: an account has one budget of failures whichever door a guesser knocks on, and however
many addresses the guesses come from (Mastodon's rack-attack throttles sign-ins by address and by
account alike). Only failures count, so a researcher signing in from a busy campus NAT is not held
back by colleagues who typed their passwords right. The limiter is passed in (the node's shared
one, security/ratelimit.Limiter); nothing here knows the web.
"""

from __future__ import annotations

from dataclasses import dataclass

from fedihub import models
from fedihub.accounts import users
from fedihub.security.ratelimit import Limiter

LIMIT = 10  # failures per key in the window
WINDOW_S = 300.0


@dataclass(frozen=True)
class Attempt:
    """The throttle keys of one sign-in attempt: its client address and the account it names."""

    keys: tuple[str, str]


async def account_key(login: str) -> str:
    """One key per account, whether it is named by username or by e-mail address: the login is
    resolved as users.authenticate resolves it, so no spelling that reaches an account escapes
    its count."""
    login = login.strip()
    if "@" in login.lstrip("@"):
        email = login.lower()
        found = await models.User.filter(email=email).values_list("username_key", flat=True)
        name = str(found[0]) if found else email
    else:
        name = users.normalise_username(login).lower()
    return f"signin:account:{name}"


async def attempt(address: str | None, login: str) -> Attempt:
    return Attempt((f"signin:ip:{address or '-'}", await account_key(login)))


async def refused(limiter: Limiter, tried: Attempt) -> bool:
    """True when the address or the account has used up its failures: refuse before checking
    the password, so a right guess after the limit tells the guesser nothing."""
    for key in tried.keys:
        if await limiter.exceeded(key, LIMIT, WINDOW_S):
            return True
    return False


async def failed(limiter: Limiter, tried: Attempt) -> None:
    """Count a wrong password against the address and the account."""
    for key in tried.keys:
        await limiter.hit(key, LIMIT, WINDOW_S)
