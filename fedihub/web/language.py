"""The language switch in every page's footer: a visitor's choice is kept in the session, a
signed-in user's becomes the account's language (the one the settings page shows)."""

from __future__ import annotations

from quart import Blueprint, Quart, redirect, request, session
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub.web import i18n
from fedihub.web import session as web_session
from fedihub.web.auth import safe_next, viewer

blueprint = Blueprint("language", __name__)


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


@blueprint.post("/language")
async def switch() -> WerkzeugResponse:
    await web_session.require_csrf()
    form = await request.form
    code = i18n.chosen(form.get("lang"))
    if code is not None:
        session[i18n.SESSION_KEY] = code
        user = await viewer()
        if user is not None and user.locale != code:
            user.locale = code
            await user.save(update_fields=["locale"])
    return redirect(safe_next(form.get("next")), 303)
