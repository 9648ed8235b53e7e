"""OAuth 2 for Mastodon clients: scopes, app registration, authorisation codes (with PKCE), tokens.

Client secrets, codes and tokens are random 32-byte values stored as SHA-256 digests: they carry
enough entropy that a fast hash is right (a slow password hash would only cost every request).
Errors are `OAuthError`, which carries the RFC 6749 error code the token endpoint answers with.
No quart here: the edges in api/oauth.py and api/auth.py translate.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from fedihub import models
from fedihub.errors import BadRequest, Unauthorized

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = timedelta(minutes=10)
_READ = (
    "accounts blocks bookmarks favourites filters follows lists mutes notifications search statuses"
)
_WRITE = (
    "accounts blocks bookmarks conversations favourites filters follows lists media mutes "
    "notifications reports statuses"
)
_ADMIN = (
    "accounts reports domain_allows domain_blocks ip_blocks email_domain_blocks "
    "canonical_email_blocks"
)
READ_SCOPES = tuple(f"read:{s}" for s in _READ.split())
WRITE_SCOPES = tuple(f"write:{s}" for s in _WRITE.split())
ADMIN_READ_SCOPES = tuple(f"admin:read:{s}" for s in _ADMIN.split())
ADMIN_WRITE_SCOPES = tuple(f"admin:write:{s}" for s in _ADMIN.split())
# what each umbrella scope grants (Mastodon's config/initializers/doorkeeper.rb and the scopes docs)
IMPLIES: dict[str, tuple[str, ...]] = {
    "read": READ_SCOPES,
    "write": WRITE_SCOPES,
    "follow": (
        "read:follows",
        "read:blocks",
        "read:mutes",
        "write:follows",
        "write:blocks",
        "write:mutes",
    ),
    "admin:read": ADMIN_READ_SCOPES,
    "admin:write": ADMIN_WRITE_SCOPES,
}
TOP_SCOPES = ("read", "write", "follow", "push", "profile", "admin:read", "admin:write")
ALL_SCOPES = frozenset(
    TOP_SCOPES + READ_SCOPES + WRITE_SCOPES + ADMIN_READ_SCOPES + ADMIN_WRITE_SCOPES
)
GRANT_TYPES = ("authorization_code", "password", "client_credentials")


class OAuthError(BadRequest):
    """An OAuth failure: `error` is the RFC 6749 code, `public` its description."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.status = status


# ---- scopes -----------------------------------------------------------------------------------


def parse_scopes(raw: str | list[str] | None, *, default: str = "read") -> list[str]:
    """Split a scope string (space, '+' or comma separated) into known scopes, order kept."""
    if isinstance(raw, list):
        raw = " ".join(raw)
    text = (raw or "").replace("+", " ").replace(",", " ").strip() or default
    out: list[str] = []
    for scope in text.split():
        if scope not in ALL_SCOPES:
            raise OAuthError("invalid_scope", f"the scope {scope!r} is unknown")
        if scope not in out:
            out.append(scope)
    return out


def expand(scopes: list[str] | str) -> frozenset[str]:
    """Every scope the given ones grant, umbrella scopes opened up."""
    items = scopes.split() if isinstance(scopes, str) else scopes
    granted: set[str] = set()
    for scope in items:
        granted.add(scope)
        granted.update(IMPLIES.get(scope, ()))
    return frozenset(granted)


def allows(granted: str | list[str], *needed: str) -> bool:
    """True when the granted scopes cover any one of `needed`."""
    have = expand(granted)
    return any(scope in have for scope in needed)


def covered(asked: list[str], allowed: str) -> bool:
    """Every scope asked for is among (or implied by) the app's registered scopes."""
    have = expand(allowed)
    return all(scope in have for scope in asked)


# ---- secrets ----------------------------------------------------------------------------------


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# ---- apps -------------------------------------------------------------------------------------


def parse_redirect_uris(raw: str | list[str] | None) -> list[str]:
    """Validate redirect URIs: absolute URLs without a fragment, or the out-of-band URN."""
    items = raw if isinstance(raw, list) else (raw or "").split()
    uris: list[str] = []
    for item in items:
        for uri in str(item).split():
            if uri != OOB:
                parts = urlsplit(uri)
                if (
                    not parts.scheme
                    or parts.fragment
                    or (parts.scheme in ("http", "https") and not parts.netloc)
                ):
                    raise OAuthError(
                        "invalid_redirect_uri", f"redirect_uri {uri!r} is not an absolute URI"
                    )
                if parts.scheme.lower() in ("javascript", "data", "vbscript", "file"):
                    raise OAuthError(
                        "invalid_redirect_uri", f"redirect_uri {uri!r} uses a forbidden scheme"
                    )
            if uri not in uris:
                uris.append(uri)
    if not uris:
        raise OAuthError("invalid_redirect_uri", "redirect_uris must not be empty")
    return uris


async def create_app(
    name: str,
    redirect_uris: str | list[str] | None,
    scopes: str | list[str] | None,
    website: str | None,
) -> tuple[models.OAuthApp, str]:
    """Register a client; returns the app and its client secret (shown this once, kept hashed)."""
    name = (name or "").strip()
    if not name:
        raise OAuthError("invalid_client_metadata", "client_name must not be empty")
    if len(name) > 255:
        raise OAuthError("invalid_client_metadata", "client_name is at most 255 characters")
    uris = parse_redirect_uris(redirect_uris)
    scope_list = parse_scopes(scopes)
    website = (website or "").strip() or None
    if website and (len(website) > 768 or urlsplit(website).scheme not in ("http", "https")):
        raise OAuthError("invalid_client_metadata", "website must be an http(s) URL")
    secret = new_secret()
    app = await models.OAuthApp.create(
        name=name,
        website=website,
        redirect_uris="\n".join(uris),
        scopes=" ".join(scope_list),
        client_id=secrets.token_urlsafe(32),
        client_secret_hash=digest(secret),
    )
    return app, secret


async def app_by_client_id(client_id: str | None) -> models.OAuthApp:
    app = await models.OAuthApp.get_or_none(client_id=client_id) if client_id else None
    if app is None:
        raise OAuthError("invalid_client", "the client is unknown", status=401)
    return app


async def authenticate_client(client_id: str | None, client_secret: str | None) -> models.OAuthApp:
    app = await app_by_client_id(client_id)
    if not client_secret or not hmac.compare_digest(digest(client_secret), app.client_secret_hash):
        raise OAuthError("invalid_client", "client authentication failed", status=401)
    return app


# ---- authorisation requests and codes ---------------------------------------------------------


@dataclass(frozen=True)
class AuthRequest:
    app: models.OAuthApp
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None


async def check_authorize(
    client_id: str | None,
    redirect_uri: str | None,
    response_type: str | None,
    scope: str | None,
    state: str | None = None,
    code_challenge: str | None = None,
    code_challenge_method: str | None = None,
) -> AuthRequest:
    """Validate an authorisation request before showing the consent page."""
    app = await app_by_client_id(client_id)
    registered = app.redirect_uris.split()
    if not redirect_uri and len(registered) == 1:
        redirect_uri = registered[0]
    if redirect_uri not in registered:
        raise OAuthError("invalid_redirect_uri", "redirect_uri is not one this client registered")
    if response_type != "code":
        raise OAuthError("unsupported_response_type", "response_type must be code")
    scopes = parse_scopes(scope, default=app.scopes)
    if not covered(scopes, app.scopes):
        raise OAuthError("invalid_scope", "the client asked for scopes it did not register")
    method = None
    if code_challenge:
        method = code_challenge_method or "plain"
        if method not in ("S256", "plain"):
            raise OAuthError("invalid_request", "code_challenge_method must be S256 or plain")
        if not 43 <= len(code_challenge) <= 128:
            raise OAuthError("invalid_request", "code_challenge must be 43 to 128 characters")
    return AuthRequest(app, redirect_uri, scopes, state or None, code_challenge or None, method)


async def issue_code(req: AuthRequest, user: models.User) -> str:
    code = new_secret()
    await models.OAuthCode.create(
        code_hash=digest(code),
        app=req.app,
        user_id=user.id,
        redirect_uri=req.redirect_uri,
        scopes=" ".join(req.scopes),
        code_challenge=req.code_challenge,
        code_challenge_method=req.code_challenge_method,
        expires_at=datetime.now(UTC) + CODE_LIFETIME,
    )
    return code


def _pkce_ok(challenge: str, method: str | None, verifier: str | None) -> bool:
    if not verifier:
        return False
    if method == "S256":
        computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
        return hmac.compare_digest(computed.decode(), challenge)
    return hmac.compare_digest(verifier, challenge)


async def exchange_code(
    app: models.OAuthApp,
    code: str | None,
    redirect_uri: str | None,
    code_verifier: str | None,
    *,
    client_authenticated: bool,
) -> tuple[str, models.OAuthToken]:
    """Trade a code for a token once: a second use fails even if the first never finished.

    A code proves its client by the PKCE verifier when it was issued with a challenge, else by the
    client's secret (`client_authenticated`): a code issued without a challenge and presented
    without the secret is refused whatever `code_verifier` says (RFC 7636 section 4.6 binds the
    verifier only to a challenge; RFC 6749 section 4.1.3 needs a confidential client's secret).
    """
    if not code:
        raise OAuthError("invalid_request", "code is missing")
    row = await models.OAuthCode.get_or_none(code_hash=digest(code), app_id=app.id)
    if row is None or row.used or row.expires_at < datetime.now(UTC):
        raise OAuthError("invalid_grant", "the authorization code is invalid, expired or used")
    # claim it with a conditional update: two concurrent exchanges cannot both win
    if not await models.OAuthCode.filter(id=row.id, used=False).update(used=True):
        raise OAuthError("invalid_grant", "the authorization code is invalid, expired or used")
    if redirect_uri != row.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
    challenge, method = row.code_challenge, row.code_challenge_method
    if challenge:
        if not _pkce_ok(challenge, method, code_verifier):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    elif not client_authenticated:
        raise OAuthError("invalid_client", "client authentication failed", status=401)
    user = await models.User.get_or_none(id=row.user_id)
    if user is None or user.disabled:
        raise OAuthError("invalid_grant", "the account is disabled")
    return await issue_token(app, user.id, row.scopes.split())


async def issue_token(
    app: models.OAuthApp, user_id: int | None, scopes: list[str]
) -> tuple[str, models.OAuthToken]:
    plain = new_secret()
    token = await models.OAuthToken.create(
        token_hash=digest(plain), app=app, user_id=user_id, scopes=" ".join(scopes)
    )
    return plain, token


def scopes_for_grant(app: models.OAuthApp, scope: str | None) -> list[str]:
    scopes = parse_scopes(scope, default=app.scopes)
    if not covered(scopes, app.scopes):
        raise OAuthError("invalid_scope", "the client asked for scopes it did not register")
    return scopes


async def token_by_value(plain: str) -> models.OAuthToken | None:
    """The live token with this value, or None (unknown or revoked)."""
    if not plain:
        return None
    return await models.OAuthToken.get_or_none(token_hash=digest(plain), revoked_at=None)


async def revoke(app: models.OAuthApp, plain: str) -> list[int]:
    """Revoke a token of this client; the ids revoked (unknown tokens are ignored, RFC 7009
    section 2.2). Its open streams are told by the caller (accounts/revocations.py)."""
    live = models.OAuthToken.filter(token_hash=digest(plain), app_id=app.id, revoked_at=None)
    ids = [int(i) for i in await models.column(live.values_list("id", flat=True))]
    if ids:
        await models.OAuthToken.filter(id__in=ids).update(revoked_at=datetime.now(UTC))
    return ids


async def touch(token: models.OAuthToken, *, every: timedelta = timedelta(minutes=5)) -> None:
    """Record use at most once per `every`: a write per request would cost more than it tells."""
    now = datetime.now(UTC)
    if token.last_used_at is None or token.last_used_at < now - every:
        token.last_used_at = now
        await models.OAuthToken.filter(id=token.id).update(last_used_at=now)


async def user_for_token(token: models.OAuthToken) -> models.User | None:
    if token.user_id is None:
        return None
    user = await models.User.get_or_none(id=token.user_id).prefetch_related("actor")
    if user is None or user.disabled:
        raise Unauthorized("The access token is invalid")
    return user
