"""Profiles as pages, for local accounts (/@name, from web/federation.py's content negotiation)
and for known remote ones (/@name@domain); following and unfollowing as forms; remote follow for
visitors from other servers (their handle → their server's authorize-interaction page), and our
own /authorize_interaction for our users sent here by another server."""

from __future__ import annotations

from quart import Blueprint, Quart, redirect, render_template, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.accounts import resolver
from fedihub.errors import FedihubError, Invalid, NotFound
from fedihub.models import FollowState
from fedihub.social import blocks, follows, lists, search, timelines
from fedihub.web import i18n, page_kit, session
from fedihub.web.auth import page_locale
from fedihub.web.common import runtime

blueprint = Blueprint("account_pages", __name__)
Redirect = WerkzeugResponse


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


async def _relationship(who: models.Actor | None, actor: models.Actor) -> str:
    """'self', 'following', 'requested', 'blocked' or 'none' (for visitors too)."""
    if who is None:
        return "none"
    if who.id == actor.id:
        return "self"
    if await models.Block.filter(actor_id=who.id, target_id=actor.id).exists():
        return "blocked"
    row = await models.Follow.get_or_none(follower_id=who.id, target_id=actor.id)
    if row is None:
        return "none"
    return "following" if row.state == FollowState.ACCEPTED else "requested"


async def profile_page(actor: models.Actor) -> str:
    """An account's page: who they are, the reader's relationship, and what the reader may see
    of their statuses, paged."""
    who = await page_kit.reader()
    relation = await _relationship(who, actor)
    paged = await page_kit.page(await timelines.account(who, actor))
    links = [
        {"name": link.get("name", ""), "url": link.get("value") or link.get("url", "")}
        for link in actor.links or []
        if isinstance(link, dict)
    ]
    return await render_template(
        "accounts/profile.html",
        actor=actor,
        account=page_kit.accounts([actor])[0],
        handle=page_kit.handle(actor),
        links=links,
        relationship=relation,
        # lists take accounts one follows (Mastodon's rule, social/lists.py)
        my_lists=await lists.of_owner(who) if who is not None and relation == "following" else [],
        items=await page_kit.statuses(paged.rows, who),
        paged=paged,
        remote_follow_error=None,
    )


@blueprint.post("/web/accounts/<int:actor_id>/<action>")
async def relationship(actor_id: int, action: str) -> Redirect:
    user = await page_kit.signed_in()
    await session.require_csrf()
    target = await models.Actor.get_or_none(id=actor_id, deleted_at=None)
    if target is None:
        raise NotFound("no such account")
    rt = runtime()
    if action == "follow":
        await follows.follow(rt, user.actor, target)
    elif action == "unfollow":
        await follows.unfollow(rt, user.actor, target)
    elif action == "block":
        await blocks.block(rt, user.actor, target)
    elif action == "unblock":
        await blocks.unblock(rt, user.actor, target)
    else:
        raise NotFound("no such action")
    return await page_kit.back(f"/@{target.username}" if target.domain is None else "/home")


@blueprint.post("/web/remote_follow/<username>")
async def remote_follow(username: str) -> Redirect | tuple[str, int]:
    """A visitor's handle → their own server's page for following `username` of ours."""
    await session.require_csrf()
    actor = await models.Actor.get_or_none(username__iexact=username, domain=None, deleted_at=None)
    if actor is None:
        raise NotFound("no such account")
    form = await request.form
    rt = runtime()
    try:
        template = await resolver.interaction_template(rt, form.get("handle", ""))
    except FedihubError as exc:
        locale = await page_locale()
        message = i18n.translate(
            "Your server could not be asked ({reason}). Search for {handle} there instead.",
            locale,
            reason=i18n.translate(exc.public, locale),
            handle=page_kit.handle(actor),
        )
        page = await render_template("errors/error.html", status=exc.status, message=message)
        return page, exc.status
    target = f"acct:{actor.username}@{rt.urls.domain}"
    return redirect(template.replace("{uri}", target), 303)


@blueprint.get("/authorize_interaction")
async def authorize_interaction() -> Redirect:
    """Where other servers send our users to follow or answer something of theirs (the template
    our WebFinger names): the account's profile, or the status's thread, found by address."""
    user = await page_kit.signed_in()
    uri = request.args.get("uri", "").strip()
    if not uri:
        raise Invalid("no address given", field="uri")
    rt = runtime()
    if uri.startswith(("https://", "http://")):
        found = await search.statuses(rt, user.actor, uri, resolve=True, limit=1)
        if found:
            return redirect(f"/web/statuses/{found[0].id}", 303)
    accounts = await search.accounts(rt, user.actor, uri, resolve=True, limit=1)
    if not accounts:
        raise NotFound("nothing found at this address")
    return redirect(f"/@{page_kit.handle(accounts[0]).lstrip('@')}", 303)


async def remote_profile(address: str) -> str:
    """/@name@domain: a remote account this node knows (search resolves unknown ones)."""
    username, _, domain = address.partition("@")
    rt = runtime()
    if domain.lower() == rt.urls.domain:
        local = await models.Actor.get_or_none(
            username__iexact=username, domain=None, deleted_at=None
        )
        if local is None:
            raise NotFound("no such account")
        return await profile_page(local)
    actor = await models.Actor.filter(
        username__iexact=username, domain=domain.lower(), deleted_at=None
    ).first()
    if actor is None:
        raise NotFound("no such account")
    return await profile_page(actor)
