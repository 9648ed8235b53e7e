"""The node's front page."""

from __future__ import annotations

from quart import Blueprint, render_template

from fedihub.web.common import runtime

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
async def home() -> str:
    return await render_template("home.html", domain=runtime().settings.domain)
