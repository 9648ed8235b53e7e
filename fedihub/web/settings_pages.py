"""The signed-in user's settings pages: profile (with avatar) and password.

Validation lives in accounts/profiles.py; this module reads the form, calls it, and re-renders the
form with the user's input and a message when it refuses.
"""

from __future__ import annotations

from urllib.parse import quote

from quart import Blueprint, Quart, redirect, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.accounts import media_files, profiles
from fedihub.errors import Invalid, PayloadTooLarge
from fedihub.web import i18n, session
from fedihub.web.auth import page_locale, viewer
from fedihub.web.common import runtime

blueprint = Blueprint("settings_pages", __name__, url_prefix="/settings")

Page = tuple[str, int]
Redirect = WerkzeugResponse  # what quart.redirect() makes


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


def _to_sign_in() -> Redirect:
    return redirect(f"/auth/sign_in?next={quote(request.path)}")


def _profile_form(user: models.User) -> dict[str, object]:
    actor = user.actor
    links = [(link.get("name", ""), link.get("value", "")) for link in actor.links]
    return {
        "display_name": actor.display_name,
        "bio": profiles.html_to_bio(actor.summary),
        "affiliation": actor.affiliation,
        "research_areas": ", ".join(actor.research_areas),
        "links": links + [("", "")] * (profiles.MAX_LINKS - len(links)),
        "locale": user.locale,
        "icon_url": actor.icon_url,
        "header_url": actor.header_url,
    }


async def _profile_page(form: dict[str, object], error: str | None, status: int) -> Page:
    page = await render_template(
        "settings/profile.html",
        form=form,
        error=error,
        saved=request.args.get("saved") == "1" and error is None,
        locales=i18n.LOCALES,
    )
    return page, status


@blueprint.get("/profile")
async def profile_form() -> Page | Redirect:
    user = await viewer()
    if user is None:
        return _to_sign_in()
    return await _profile_page(_profile_form(user), None, 200)


@blueprint.post("/profile")
async def profile_save() -> Page | Redirect:
    user = await viewer()
    if user is None:
        return _to_sign_in()
    await session.require_csrf()
    form = await request.form
    files = await request.files
    links = tuple(
        (form.get(f"link_name_{i}", ""), form.get(f"link_url_{i}", ""))
        for i in range(profiles.MAX_LINKS)
    )
    data = profiles.ProfileInput(
        display_name=form.get("display_name", ""),
        bio=form.get("bio", ""),
        affiliation=form.get("affiliation", ""),
        research_areas=form.get("research_areas", ""),
        links=links,
        locale=form.get("locale") or None,
    )
    upload = files.get("avatar")
    avatar = upload.read() if upload is not None and upload.filename else None
    header_upload = files.get("header")
    header = header_upload.read() if header_upload is not None and header_upload.filename else None
    rt = runtime()
    try:
        if header is not None:
            profiles.check_avatar(rt, header, field="header")  # before anything is saved
        actor = await profiles.update(rt, user, data, avatar)
        if header is not None:
            actor.header_url = await media_files.store_header(rt, actor, header)
            await actor.save(update_fields=["header_url"])
        await profiles.publish_update(rt, actor)
    except (Invalid, PayloadTooLarge) as exc:
        kept: dict[str, object] = {
            "display_name": data.display_name,
            "bio": data.bio,
            "affiliation": data.affiliation,
            "research_areas": data.research_areas,
            "links": list(links),
            "locale": data.locale or user.locale,
            "icon_url": user.actor.icon_url,
            "header_url": user.actor.header_url,
        }
        return await _profile_page(kept, i18n.error_text(exc, await page_locale()), exc.status)
    return redirect("/settings/profile?saved=1")


async def _password_page(error: str | None, status: int) -> Page:
    changed = request.args.get("changed") == "1" and error is None
    return await render_template("settings/password.html", error=error, changed=changed), status


@blueprint.get("/password")
async def password_form() -> Page | Redirect:
    if await viewer() is None:
        return _to_sign_in()
    return await _password_page(None, 200)


@blueprint.post("/password")
async def password_change() -> Page | Redirect:
    user = await viewer()
    if user is None:
        return _to_sign_in()
    await session.require_csrf()
    form = await request.form
    try:
        await profiles.change_password(
            user,
            form.get("current_password", ""),
            form.get("new_password", ""),
            form.get("new_password_confirmation", ""),
        )
    except Invalid as exc:
        return await _password_page(i18n.error_text(exc, await page_locale()), 422)
    # the epoch bump ended every session, this one too: sign this one in again with the new epoch
    await session.login_user(user)
    return redirect("/settings/password?changed=1")
