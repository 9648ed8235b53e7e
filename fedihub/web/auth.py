"""Sign-up, sign-in and sign-out pages, and what every template gets (signed-in user, `_`, CSRF).

Failed sign-ins are throttled per IP and per account (accounts/signin_throttle.py: 10 in 5 minutes,
counted with the sign-ins of /oauth/authorize and the password grant). Redirects after sign-in go
only to local paths, never off-site.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from quart import Blueprint, Quart, g, redirect, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.accounts import registration, signin_throttle, two_factor, users
from fedihub.accounts.node_settings import RegistrationMode
from fedihub.errors import Conflict, Forbidden, Invalid, RateLimited, Unauthorized
from fedihub.security import ratelimit
from fedihub.web import i18n, navigation, session
from fedihub.web.common import runtime

blueprint = Blueprint("auth", __name__, url_prefix="/auth")

_VIEWER = "fedihub_viewer"
_INVALID = i18n.N_("invalid username, e-mail address or password")
_DISABLED = i18n.N_("this account is disabled")

Page = tuple[str, int]
Redirect = WerkzeugResponse  # what quart.redirect() makes


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)
    app.add_template_global(session.csrf_token, "csrf_token")
    app.context_processor(_template_context)


async def viewer() -> models.User | None:
    """The signed-in user of this request, looked up once per request."""
    if _VIEWER not in g:
        setattr(g, _VIEWER, await session.current_user())
    user: models.User | None = getattr(g, _VIEWER)
    return user


async def page_locale() -> str:
    return i18n.negotiate(await viewer())


async def _template_context() -> dict[str, Any]:
    try:
        user = await viewer()
    except Exception:  # an error page must render even when the database is down: show it anonymous
        user = None
    locale = i18n.negotiate(user)
    try:
        nav = navigation.items(user, badges=await navigation.badges(user))
    except Exception:  # as above: the error page of a broken request still renders
        nav = []
    return {
        "signed_in_user": user,
        "domain": runtime().urls.domain,
        "lang": locale,
        "html_lang": i18n.HTML_LANG[locale],
        "language_names": i18n.LANGUAGE_NAMES,
        "nav_items": nav,
        "here": _here(),
        **i18n.template_helpers(locale),
    }


def _here() -> str:
    """This page's path and query without ?lang=, where the language switch comes back to."""
    query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "lang"])
    return f"{request.path}?{query}" if query else request.path


def limiter() -> ratelimit.Limiter:
    """The node's limiter: shared through Redis when one is configured, else this process's."""
    return runtime().limiter


def safe_next(value: str | None) -> str:
    """A local path to go to after sign-in; other sites, //host and schemes become /."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(ch) < 32 for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


# ---- sign-up ----------------------------------------------------------------------------------


async def _sign_up_page(
    mode: RegistrationMode, form: dict[str, str], error: str | None, status: int
) -> Page:
    page = await render_template("auth/sign_up.html", mode=mode.value, form=form, error=error)
    return page, status


@blueprint.get("/sign_up")
async def sign_up_form() -> Page:
    mode = await registration.mode()
    return await _sign_up_page(mode, {"invite_code": request.args.get("invite", "")}, None, 200)


@blueprint.post("/sign_up")
async def sign_up() -> Page | Redirect:
    await session.require_csrf()
    mode = await registration.mode()
    if mode is RegistrationMode.CLOSED:
        return await _sign_up_page(mode, {}, None, 403)
    form = await request.form
    # what the user typed comes back on error, except the passwords
    kept = {name: form.get(name, "") for name in ("username", "email", "invite_code")}
    locale = await page_locale()
    try:
        user = await registration.register(
            runtime(),
            username=kept["username"],
            email=kept["email"],
            password=form.get("password", ""),
            password_confirmation=form.get("password_confirmation", ""),
            invite_code=kept["invite_code"],
            locale=locale,
        )
    except registration.RegistrationClosed:
        return await _sign_up_page(RegistrationMode.CLOSED, {}, None, 403)
    except (Invalid, Conflict) as exc:
        # a taken name is a validation failure of the form, as Mastodon answers it
        return await _sign_up_page(mode, kept, i18n.error_text(exc, locale), 422)
    await session.login_user(user)
    return redirect("/")


# ---- sign-in and sign-out ---------------------------------------------------------------------


async def _sign_in_page(login: str, next_path: str, error: str | None, status: int) -> Page:
    page = await render_template("auth/sign_in.html", login=login, next=next_path, error=error)
    return page, status


@blueprint.get("/sign_in")
async def sign_in_form() -> Page:
    return await _sign_in_page("", safe_next(request.args.get("next")), None, 200)


@blueprint.post("/sign_in")
async def sign_in() -> Page | Redirect:
    await session.require_csrf()
    form = await request.form
    login = form.get("login", "").strip()
    next_path = safe_next(form.get("next") or request.args.get("next"))
    locale = await page_locale()
    tried = await signin_throttle.attempt(request.remote_addr, login)
    if await signin_throttle.refused(limiter(), tried):
        message = i18n.translate(
            "too many failed sign-ins; wait a few minutes and try again", locale
        )
        return await _sign_in_page(login, next_path, message, 429)
    try:
        user = await users.authenticate(login, form.get("password", ""))
    except Unauthorized:
        await signin_throttle.failed(limiter(), tried)
        return await _sign_in_page(login, next_path, i18n.translate(_INVALID, locale), 401)
    except Forbidden:
        return await _sign_in_page(login, next_path, i18n.translate(_DISABLED, locale), 403)
    if await two_factor.enabled(user.id):
        session.begin_second_step(user)
        return await _second_step_page(next_path, None, 200)
    await session.login_user(user)
    return redirect(next_path)


async def _second_step_page(next_path: str, error: str | None, status: int) -> Page:
    page = await render_template("auth/two_factor.html", next=next_path, error=error)
    return page, status


@blueprint.get("/two_factor")
async def second_step_form() -> Page | Redirect:
    if await session.pending_user() is None:
        return redirect("/auth/sign_in")
    return await _second_step_page(safe_next(request.args.get("next")), None, 200)


@blueprint.post("/two_factor")
async def second_step() -> Page | Redirect:
    """The code from the authenticator app (or a recovery code) after a right password."""
    await session.require_csrf()
    form = await request.form
    next_path = safe_next(form.get("next"))
    locale = await page_locale()
    user = await session.pending_user()
    if user is None:
        message = i18n.translate("Your sign-in has expired; enter your password again.", locale)
        return await _sign_in_page("", next_path, message, 401)
    try:
        await two_factor.verify(runtime(), user, form.get("code", ""))
    except (Unauthorized, RateLimited) as exc:
        return await _second_step_page(next_path, i18n.error_text(exc, locale), exc.status)
    await session.login_user(user)
    return redirect(next_path)


@blueprint.post("/sign_out")
async def sign_out() -> Redirect:
    await session.require_csrf()
    await session.logout_user()
    return redirect("/")
