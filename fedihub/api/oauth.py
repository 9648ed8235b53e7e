"""OAuth endpoints: app registration, the authorise pages, token, revoke, and the RFC 8414 metadata.

The authorise page signs the user in on the same page when needed (so apps opened in a browser tab
or an in-app web view need no detour) and then asks for consent; both forms carry the session's
CSRF token. No Cross-Origin-Opener-Policy here: some clients watch the window they opened.
"""

from __future__ import annotations

import base64
from datetime import UTC
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from quart import Blueprint, Response, jsonify, render_template, request

from fedihub import models
from fedihub.accounts import oauth, revocations, signin_throttle, two_factor, users
from fedihub.api.auth import current_actor, current_token, ignores_token, require_scope
from fedihub.api.common import Params, invalid, params
from fedihub.api.entities.account import account
from fedihub.api.entities.application import application, credential_application
from fedihub.errors import Forbidden, RateLimited, Unauthorized
from fedihub.security import ratelimit
from fedihub.web import i18n
from fedihub.web import session as web_session
from fedihub.web.common import runtime

blueprint = Blueprint("api_oauth", __name__)
_AUTH_FIELDS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


@blueprint.post("/api/v1/apps")
@ignores_token
async def create_app() -> tuple[Response, int]:
    p = await params()
    uris: Any = p.list("redirect_uris") or p.str("redirect_uri")
    scopes: Any = p.list("scopes") if isinstance(p.raw("scopes"), list) else p.str("scopes")
    try:
        name = p.str("client_name") or ""
        app, secret = await oauth.create_app(name, uris, scopes, p.str("website"))
    except oauth.OAuthError as exc:
        raise invalid(exc.public, exc.error) from None
    return jsonify(credential_application(app, secret)), 200


@blueprint.get("/api/v1/apps/verify_credentials")
@require_scope(user=False)
async def verify_app() -> Response:
    token = current_token()
    assert token is not None
    app = await models.OAuthApp.get(id=token.app_id)
    # Mastodon 4.3 answers the whole Application, redirect URIs included (its description
    # requires them)
    return jsonify(application(app))


# ---- the authorise pages ----------------------------------------------------------------------


async def _page(template: str, status: int = 200, **context: Any) -> Response:
    body = await render_template(template, domain=runtime().settings.domain, **context)
    # never inside another site's frame: a framed consent button could be clicked unseen
    return Response(
        body,
        status=status,
        content_type="text/html; charset=utf-8",
        headers={
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "frame-ancestors 'none'",
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


async def _error_page(exc: oauth.OAuthError) -> Response:
    return await _page("oauth/error.html", 400, error=exc.error, description=exc.public)


def _with_query(uri: str, **values: str | None) -> str:
    parts = urlsplit(uri)
    extra = urlencode({k: v for k, v in values.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _redirect(location: str) -> Response:
    # quart's redirect() would HTML-escape into a body; apps only need the Location header
    return Response("", status=302, headers={"Location": location, "Cache-Control": "no-store"})


async def _check(source: Any) -> oauth.AuthRequest:
    return await oauth.check_authorize(*(source.get(name) for name in _AUTH_FIELDS))


async def _consent(req: oauth.AuthRequest, user: models.User) -> Response:
    await user.fetch_related("actor")
    fields = [
        ("client_id", req.app.client_id),
        ("redirect_uri", req.redirect_uri),
        ("response_type", "code"),
        ("scope", " ".join(req.scopes)),
        ("state", req.state or ""),
        ("code_challenge", req.code_challenge or ""),
        ("code_challenge_method", req.code_challenge_method or ""),
    ]
    return await _page(
        "oauth/authorize.html",
        app_name=req.app.name,
        website=req.app.website,
        username=user.actor.username,
        scopes=req.scopes,
        fields=fields,
        action="/oauth/authorize",
    )


async def _sign_in(
    req: oauth.AuthRequest,
    status: int = 200,
    *,
    template: str = "oauth/sign_in.html",
    **context: Any,
) -> Response:
    action = request.path + ("?" + request.query_string.decode() if request.query_string else "")
    return await _page(template, status, app_name=req.app.name, action=action, **context)


@blueprint.get("/oauth/authorize")
@ignores_token
async def authorize_page() -> Response:
    try:
        req = await _check(request.args)
    except oauth.OAuthError as exc:
        return await _error_page(exc)
    user = await web_session.current_user()
    if user is None:
        return await _sign_in(req)
    return await _consent(req, user)


@blueprint.post("/oauth/authorize")
@ignores_token
async def authorize_submit() -> Response:
    await web_session.require_csrf()
    form = await request.form
    if form.get("action") == "sign_in":
        try:
            req = await _check(request.args)
        except oauth.OAuthError as exc:
            return await _error_page(exc)
        login = form.get("login", "")
        # the web sign-in's throttle: failures per address and per account, one count for both
        tried = await signin_throttle.attempt(request.remote_addr, login)
        if await signin_throttle.refused(_limiter(), tried):
            error = i18n.translate(
                "Too many attempts; try again in a few minutes.", i18n.negotiate(None)
            )
            return await _sign_in(req, 429, error=error, login=login)
        try:
            user = await users.authenticate(login, form.get("password", ""))
        except (Unauthorized, Forbidden) as exc:
            if isinstance(exc, Unauthorized):
                await signin_throttle.failed(_limiter(), tried)
            error = i18n.error_text(exc, i18n.negotiate(None))
            return await _sign_in(req, exc.status, error=error, login=login)
        if await two_factor.enabled(user.id):
            web_session.begin_second_step(user)
            return await _sign_in(req, template="oauth/two_factor.html")
        await web_session.login_user(user)
        return await _consent(req, user)
    if form.get("action") == "two_factor":
        try:
            req = await _check(request.args)
        except oauth.OAuthError as exc:
            return await _error_page(exc)
        pending = await web_session.pending_user()
        if pending is None:
            error = i18n.translate("Your session has ended; sign in again.", i18n.negotiate(None))
            return await _sign_in(req, 401, error=error)
        try:
            await two_factor.verify(runtime(), pending, form.get("code", ""))
        except (Unauthorized, RateLimited) as exc:
            error = i18n.error_text(exc, i18n.negotiate(None))
            return await _sign_in(req, exc.status, template="oauth/two_factor.html", error=error)
        await web_session.login_user(pending)
        return await _consent(req, pending)
    try:
        req = await _check(form)
    except oauth.OAuthError as exc:
        return await _error_page(exc)
    signed_in = await web_session.current_user()
    if signed_in is None:
        error = i18n.translate("Your session has ended; sign in again.", i18n.negotiate(None))
        return await _sign_in(req, 401, error=error)
    if form.get("decision") != "approve":
        if req.redirect_uri == oauth.OOB:
            return await _page("oauth/code.html", app_name=req.app.name, code=None)
        return _redirect(_with_query(req.redirect_uri, error="access_denied", state=req.state))
    code = await oauth.issue_code(req, signed_in)
    if req.redirect_uri == oauth.OOB:
        return await _page("oauth/code.html", app_name=req.app.name, code=code)
    return _redirect(_with_query(req.redirect_uri, code=code, state=req.state))


# ---- token and revoke -------------------------------------------------------------------------


def _oauth_error(exc: oauth.OAuthError) -> tuple[Response, int]:
    response = jsonify({"error": exc.error, "error_description": exc.public})
    response.headers["Cache-Control"] = "no-store"
    return response, exc.status


def _client_credentials(p: Params) -> tuple[str | None, str | None]:
    """client_id/secret from HTTP Basic (client_secret_basic) or the body (client_secret_post)."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            raw = base64.b64decode(header[6:].strip()).decode()
            client_id, _, secret = raw.partition(":")
            return unquote(client_id), unquote(secret)
        except (ValueError, UnicodeDecodeError):
            raise oauth.OAuthError(
                "invalid_client", "malformed Basic authorization", status=401
            ) from None
    return p.str("client_id"), p.str("client_secret")


async def _grant(p: Params) -> tuple[str, models.OAuthToken]:
    grant = p.str("grant_type")
    client_id, secret = _client_credentials(p)
    if grant == "authorization_code":
        # a PKCE client may be public: without a secret, the code's challenge must be met instead
        # (exchange_code refuses a code issued without one)
        if secret is None and p.str("code_verifier"):
            app = await oauth.app_by_client_id(client_id)
        else:
            app = await oauth.authenticate_client(client_id, secret)
        return await oauth.exchange_code(
            app,
            p.str("code"),
            p.str("redirect_uri"),
            p.str("code_verifier"),
            client_authenticated=secret is not None,
        )
    if grant == "client_credentials":
        app = await oauth.authenticate_client(client_id, secret)
        return await oauth.issue_token(app, None, oauth.scopes_for_grant(app, p.str("scope")))
    if grant == "password":
        app = await oauth.authenticate_client(client_id, secret)
        scopes = oauth.scopes_for_grant(app, p.str("scope"))
        login = p.str("username") or ""
        tried = await signin_throttle.attempt(request.remote_addr, login)
        if await signin_throttle.refused(_limiter(), tried):
            raise oauth.OAuthError(
                "invalid_grant", "too many attempts; try again later", status=429
            )
        try:
            user = await users.authenticate(login, p.str("password") or "")
        except (Unauthorized, Forbidden) as exc:
            if isinstance(exc, Unauthorized):
                await signin_throttle.failed(_limiter(), tried)
            raise oauth.OAuthError("invalid_grant", exc.public) from None
        if await two_factor.enabled(user.id):
            # Mastodon's password grant refuses accounts with two factors: no code travels here
            raise oauth.OAuthError(
                "invalid_grant",
                "this account uses two-factor sign-in: sign in through the authorization page",
            )
        return await oauth.issue_token(app, user.id, scopes)
    if not grant:
        raise oauth.OAuthError("invalid_request", "grant_type is missing")
    raise oauth.OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")


@blueprint.post("/oauth/token")
@ignores_token
async def token() -> tuple[Response, int]:
    p = await params()
    try:
        plain, row = await _grant(p)
    except oauth.OAuthError as exc:
        return _oauth_error(exc)
    created = row.created_at
    body = {
        "access_token": plain,
        "token_type": "Bearer",
        "scope": row.scopes,
        "created_at": int((created if created.tzinfo else created.replace(tzinfo=UTC)).timestamp()),
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200


@blueprint.post("/oauth/revoke")
@ignores_token
async def revoke() -> tuple[Response, int]:
    p = await params()
    try:
        client_id, secret = _client_credentials(p)
        app = await oauth.authenticate_client(client_id, secret)
    except oauth.OAuthError:
        # Mastodon (Doorkeeper) answers 403 unauthorized_client here
        return _oauth_error(
            oauth.OAuthError(
                "unauthorized_client", "You are not authorized to revoke this token", status=403
            )
        )
    revoked = await oauth.revoke(app, p.str("token") or "")
    await revocations.tokens_revoked(runtime(), revoked)  # its open streams close
    return jsonify({}), 200


@blueprint.get("/.well-known/oauth-authorization-server")
@ignores_token
async def metadata() -> Response:
    base = runtime().urls.base
    return jsonify(
        {
            "issuer": f"{base}/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "userinfo_endpoint": f"{base}/oauth/userinfo",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": sorted(oauth.ALL_SCOPES, key=lambda s: (s.count(":"), s)),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(oauth.GRANT_TYPES),
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "code_challenge_methods_supported": ["S256"],
        }
    )


@blueprint.route("/oauth/userinfo", methods=["GET", "POST"])
@require_scope("profile")
async def userinfo() -> Response:
    """Mastodon 4.4's OpenID Connect claims about the token's user (OAuthUserinfoSerializer),
    for apps that sign people in with their fediverse account."""
    rt = runtime()
    actor = current_actor()
    entity = account(rt, actor)
    return jsonify(
        {
            "iss": f"{rt.urls.base}/",
            "sub": actor.uri,
            "name": actor.display_name,
            "preferred_username": actor.username,
            "profile": entity["url"],
            "picture": entity["avatar"],
        }
    )


def _limiter() -> ratelimit.Limiter:
    """The node's limiter: shared through Redis when one is configured, else this process's."""
    return runtime().limiter
