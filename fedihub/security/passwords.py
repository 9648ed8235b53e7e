"""Password hashing (Argon2id) and the rules a new password must meet."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fedihub.errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 1024  # bounds the hashing work an attacker can ask for
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so timing does not reveal it
    (made on first use: hashing costs tens of milliseconds, too much for every process start)."""
    return _hasher.hash("not a real password, only for timing")


_COMMON = {
    "password",
    "password1",
    "password123",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "letmein123",
    "iloveyou12",
    "administrator",
    "changeme123",
    "welcome123",
    "0123456789",
}


def check_strength(password: str, *, username: str = "", email: str = "") -> None:
    """Raise Invalid (field `password`) with a plain reason when a password is too weak."""
    if len(password) < MIN_LENGTH:
        raise Invalid(f"password must be at least {MIN_LENGTH} characters long", field="password")
    if len(password) > MAX_LENGTH:
        raise Invalid(f"password must be at most {MAX_LENGTH} characters long", field="password")
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 4:
        raise Invalid("password is too easy to guess", field="password")
    if username and username.lower() in lowered:
        raise Invalid("password must not contain the username", field="password")
    if email and email.split("@", 1)[0].lower() in lowered and len(email.split("@", 1)[0]) >= 4:
        raise Invalid("password must not contain the e-mail address", field="password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends the same work, even with no stored hash."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
