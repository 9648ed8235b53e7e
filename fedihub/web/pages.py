"""The node's front page: what the node is, its researchers, its recent public posts, and the way
in (sign in, sign up). Knowledge posts and projects add their own sections to it
(templates/knowledge/_front.html and templates/projects/_front.html, included when present)."""

from __future__ import annotations

from quart import Blueprint, render_template

from fedihub import models
from fedihub.accounts import node_settings
from fedihub.social import timelines
from fedihub.web import page_kit, project_kit

blueprint = Blueprint("pages", __name__)
RESEARCHERS = 12
RECENT = 10


@blueprint.get("/")
async def home() -> str:
    who = await page_kit.reader()
    researchers = (
        await models.Actor.filter(
            domain=None, deleted_at=None, discoverable=True, actor_type="Person"
        )
        .order_by("-id")
        .limit(RESEARCHERS)
    )
    recent = await timelines.public(who, local=True).order_by("-id").limit(RECENT)
    return await render_template(
        "home.html",
        node_name=await node_settings.get("node_name"),
        node_description=await node_settings.get("node_description"),
        registration_mode=await node_settings.get("registration_mode"),
        researchers=page_kit.accounts(researchers),
        items=await page_kit.statuses(recent, who),
        front_projects=await project_kit.front(who),
    )
