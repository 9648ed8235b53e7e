"""Search as a page: accounts, posts and hashtags (social/search.py), resolving `user@domain`
and URLs on other servers for signed-in readers only (visitors never make the node reach out,
as on Mastodon)."""

from __future__ import annotations

from quart import Blueprint, Quart, render_template, request

from fedihub.social import search
from fedihub.web import page_kit
from fedihub.web.common import runtime

blueprint = Blueprint("search_pages", __name__)
LIMIT = 20


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


@blueprint.get("/search")
async def index() -> str:
    who = await page_kit.reader()
    q = request.args.get("q", "").strip()[:200]
    rt = runtime()
    resolve = who is not None
    accounts = await search.accounts(rt, who, q, resolve=resolve, limit=LIMIT) if q else []
    statuses = await search.statuses(rt, who, q, resolve=resolve, limit=LIMIT) if q else []
    tags = await search.hashtags(q, limit=LIMIT) if q else []
    return await render_template(
        "members/search.html",
        q=q,
        accounts=page_kit.accounts(accounts),
        items=await page_kit.statuses(statuses, who),
        tags=tags,
    )
