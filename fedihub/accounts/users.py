"""Local users: creation (with their actor and key pair), lookup, sign-in, password change."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from fedihub.runtime import Runtime
from fedihub.security import keys, passwords

# Mastodon's rule: letters, digits and underscores, dots and dashes inside, at most 30
USERNAME_RE = re.compile(r"^[a-z0-9_]([a-z0-9_.-]{0,28}[a-z0-9_])?$", re.IGNORECASE)
EMAIL_RE = re.compile(
    r"^[^@\s<>\"',;]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", re.I
)
RESERVED = frozenset(
    """admin administrator root system support help info abuse postmaster webmaster hostmaster
    security moderator mod staff owner instance actor inbox outbox api oauth auth login logout
    signin signup register settings about users user tags tag media static public well-known
    nodeinfo webfinger healthz metrics relay fedihub mastodon null undefined everyone all
    new""".split()
)


def normalise_username(username: str) -> str:
    return username.strip().lstrip("@")


def validate_username(username: str, *, allow_reserved: bool = False) -> str:
    name = normalise_username(username)
    if not name:
        raise Invalid("username must not be empty", field="username")
    if not USERNAME_RE.match(name):
        raise Invalid(
            "username may use only letters, digits, '_', and '.' or '-' inside, "
            "at most 30 characters",
            field="username",
        )
    if name.lower() in RESERVED and not allow_reserved:
        raise Invalid(f"the username {name!r} is reserved", field="username")
    return name


def validate_email(email: str) -> str:
    value = email.strip().lower()
    if len(value) > 320 or not EMAIL_RE.match(value):
        raise Invalid(f"{email.strip()!r} is not a valid e-mail address", field="email")
    return value


async def create(
    rt: Runtime,
    username: str,
    email: str,
    password: str,
    *,
    admin: bool = False,
    display_name: str = "",
    locale: str = "en",
    allow_reserved: bool = False,
) -> models.User:
    """Create a local user and its Person actor with a fresh RSA-2048 key pair; all or nothing.

    Reserved names ("admin", "support"...) are refused unless `allow_reserved`: only the node's
    admin, from the command line, may take them.
    """
    name = validate_username(username, allow_reserved=allow_reserved)
    address = validate_email(email)
    passwords.check_strength(password, username=name, email=address)
    if await models.User.filter(username_key=name.lower()).exists():
        raise Conflict(f"the username {name!r} is taken", field="username")
    if await models.Actor.filter(username__iexact=name, domain=None).exists():
        # a project's Group actor holds the handle: WebFinger must name one actor
        raise Conflict(f"the username {name!r} is taken", field="username")
    if await models.User.filter(email=address).exists():
        raise Conflict("an account with this e-mail address exists already", field="email")
    # key generation and hashing take tens of milliseconds each: keep them off the event loop
    private_key = await asyncio.to_thread(keys.generate_private_key)
    password_hash = await asyncio.to_thread(passwords.hash_password, password)
    urls = rt.urls
    try:
        async with in_transaction():
            actor = await models.Actor.create(
                uri=urls.actor(name),
                actor_type="Person",
                username=name,
                domain=None,
                display_name=display_name or name,
                url=urls.profile(name),
                inbox=urls.inbox(name),
                outbox=urls.outbox(name),
                shared_inbox=urls.shared_inbox,
                followers_url=urls.followers(name),
                following_url=urls.following(name),
                featured_url=urls.featured(name),
                public_key_id=urls.key_id(name),
                public_key_pem=keys.public_pem(private_key),
            )
            user = await models.User.create(
                actor=actor,
                username_key=name.lower(),
                email=address,
                password_hash=password_hash,
                private_key_sealed=keys.seal(private_key, rt.secrets.kek),
                is_admin=admin,
                locale=locale,
            )
    except IntegrityError:
        # lost a race with a concurrent registration of the same name or address
        raise Conflict("the username or e-mail address is taken", field="username") from None
    return user


async def by_username(username: str) -> models.User:
    user = await models.User.get_or_none(username_key=normalise_username(username).lower())
    if user is None:
        raise NotFound(f"no local user named {username!r}")
    return user


async def authenticate(login: str, password: str) -> models.User:
    """Sign in with a username or an e-mail address; one message for every failure."""
    login = login.strip()
    if "@" in login.lstrip("@"):
        user = await models.User.get_or_none(email=login.lower())
    else:
        user = await models.User.get_or_none(username_key=normalise_username(login).lower())
    ok = await asyncio.to_thread(
        passwords.verify_password, user.password_hash if user else None, password
    )
    if user is None or not ok:
        raise Unauthorized("invalid username, e-mail address or password")
    if user.disabled:
        raise Forbidden("this account is disabled")
    user.last_login_at = datetime.now(UTC)
    await user.save(update_fields=["last_login_at"])
    return user


async def change_password(user: models.User, current: str, new: str) -> None:
    ok = await asyncio.to_thread(passwords.verify_password, user.password_hash, current)
    if not ok:
        raise Invalid("the current password is wrong", field="current_password")
    await user.fetch_related("actor")
    passwords.check_strength(new, username=user.actor.username, email=user.email)
    user.password_hash = await asyncio.to_thread(passwords.hash_password, new)
    user.session_epoch += 1  # signs out every other session
    await user.save(update_fields=["password_hash", "session_epoch"])
    await end_web_sessions(user.id)


async def end_web_sessions(user_id: int) -> None:
    """Mark every browser session of the user ended (the epoch bump ends them; this keeps the
    settings' list of sessions true)."""
    await models.WebSession.filter(user_id=user_id, revoked_at=None).update(
        revoked_at=datetime.now(UTC)
    )


async def change_email(user: models.User, current_password: str, email: str) -> None:
    """Move the account to another e-mail address (its sign-in name too), after the password.

    The node sends no mail, so there is no confirmation step: the password stands for it."""
    ok = await asyncio.to_thread(passwords.verify_password, user.password_hash, current_password)
    if not ok:
        raise Invalid("the current password is wrong", field="current_password")
    address = validate_email(email)
    if address == user.email:
        return
    if await models.User.filter(email=address).exclude(id=user.id).exists():
        raise Conflict("an account with this e-mail address exists already", field="email")
    user.email = address
    try:
        await user.save(update_fields=["email"])
    except IntegrityError:  # another account took it between the check and the write
        raise Conflict(
            "an account with this e-mail address exists already", field="email"
        ) from None


async def set_disabled(username: str, disabled: bool = True) -> models.User:
    user = await by_username(username)
    user.disabled = disabled
    user.session_epoch += 1
    await user.save(update_fields=["disabled", "session_epoch"])
    return user


def generate_password(username: str = "", email: str = "") -> str:
    """A random password that passes check_strength for this account.

    Random text can contain a short username ("ada" turns up about once in a few thousand), which
    the strength check would then refuse; draw again rather than fail the command.
    """
    while True:
        password = secrets.token_urlsafe(15)
        try:
            passwords.check_strength(password, username=username, email=email)
        except Invalid:
            continue
        return password


async def create_invite(
    created_by: models.User | None, max_uses: int | None = 1
) -> models.InviteCode:
    return await models.InviteCode.create(
        code=secrets.token_urlsafe(9), created_by=created_by, max_uses=max_uses
    )


async def redeem_invite(code: str) -> None:
    """Use one slot of an invitation code; raises Invalid if it is unknown, used up or expired."""
    invite = await models.InviteCode.get_or_none(code=code.strip())
    now = datetime.now(UTC)
    if (
        invite is None
        or (invite.max_uses is not None and invite.uses >= invite.max_uses)
        or (invite.expires_at is not None and invite.expires_at < now)
    ):
        raise Invalid("this invitation code is not valid", field="invite_code")
    filters = models.InviteCode.filter(id=invite.id)
    if invite.max_uses is not None:
        filters = filters.filter(uses__lt=invite.max_uses)
    if not await filters.update(uses=F("uses") + 1):
        raise Invalid("this invitation code is used up", field="invite_code")
