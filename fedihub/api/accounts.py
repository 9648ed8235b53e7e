"""/api/v1/accounts: own account (verify, update), lookup, search, profiles, follower lists,
relationships, and follow / block / mute actions (through the social services)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.accounts import preferences, profiles
from fedihub.accounts.media_files import store_header
from fedihub.api import pagination
from fedihub.api.auth import current_actor, current_user, require_scope, scope_if_token
from fedihub.api.common import id_or_none, invalid, not_found, params, parse_id, to_bool
from fedihub.api.entities.account import accounts, credential_account, with_move
from fedihub.api.entities.relationship import relationship, relationships
from fedihub.errors import Invalid
from fedihub.models import FollowState
from fedihub.social import blocks, follows
from fedihub.social import search as search_service
from fedihub.web.common import runtime

blueprint = Blueprint("api_accounts", __name__)
P = "/api/v1/accounts"
MAX_MUTE_S = 2**31 - 1  # a mute's `duration` in seconds: 68 years is as good as for ever


async def load_actor(raw_id: Any) -> models.Actor:
    """The live actor with this id, or 404 'Record not found'."""
    actor = await models.Actor.get_or_none(id=parse_id(raw_id), deleted_at=None)
    if actor is None:
        raise not_found()
    return actor


@blueprint.get(f"{P}/verify_credentials")
@require_scope("read:accounts", "profile")
async def verify_credentials() -> Response:
    return jsonify(await credential_account(runtime(), current_user()))


RESEARCH_AREAS_FIELD = "Research areas"


def _field_pairs(
    rows: list[dict[str, Any]],
) -> tuple[str | None, list[str] | None, list[tuple[str, str]]]:
    """Mastodon's fields: one named Affiliation fills the affiliation, one named Research areas
    the research areas (comma-separated, as the profile shows them), the others are links."""
    if len(rows) > profiles.MAX_LINKS + 2:
        raise invalid(f"at most {profiles.MAX_LINKS + 2} profile fields", "fields_attributes")
    affiliation: str | None = None
    areas: list[str] | None = None
    links: list[tuple[str, str]] = []
    for row in rows:
        name, value = str(row.get("name") or "").strip(), str(row.get("value") or "").strip()
        if name.casefold() == "affiliation" and affiliation is None:
            affiliation = value
        elif name.casefold() == RESEARCH_AREAS_FIELD.casefold() and areas is None:
            areas = [a.strip() for a in re.split(r"[,，;；]", value) if a.strip()]
        elif name or value:
            links.append((name, value))
    return affiliation, areas, links


@blueprint.patch(f"{P}/update_credentials")
@require_scope("write:accounts")
async def update_credentials() -> Response:
    rt = runtime()
    user = current_user()
    actor = user.actor
    p = await params()
    fields = p.rows("fields_attributes")
    affiliation, areas, links = _field_pairs(fields) if fields is not None else (None, None, None)
    current_links = tuple(
        (str(x.get("name", "")), str(x.get("value", ""))) for x in actor.links or []
    )
    if fields is None:
        affiliation = actor.affiliation
    data = profiles.ProfileInput(
        display_name=p.str("display_name", actor.display_name) or "",
        bio=(p.str("note") or "") if p.has("note") else profiles.html_to_bio(actor.summary or ""),
        affiliation=affiliation or "",
        research_areas=areas if areas is not None else list(actor.research_areas or []),
        links=tuple(links) if links is not None else current_links,
    )
    avatar = p.files.get("avatar")
    header = p.files.get("header")
    avatar_bytes = avatar.read() if avatar is not None else None
    header_bytes = header.read() if header is not None else None
    source = p.hash("source")
    try:
        if header_bytes is not None:
            profiles.check_avatar(rt, header_bytes, field="header")  # before anything is saved
        privacy = source.get("privacy")
        if privacy is not None and privacy not in preferences.PRIVACY:
            allowed = ", ".join(preferences.PRIVACY)
            raise Invalid(f"privacy must be one of {allowed}", field="privacy")
        actor = await profiles.update(rt, user, data, avatar_bytes or None)
        if header_bytes:
            actor.header_url = await store_header(rt, actor, header_bytes)
        for name, column in (
            ("locked", "manually_approves"),
            ("discoverable", "discoverable"),
            ("indexable", "indexable"),
        ):
            value = p.bool(name)
            if value is not None:
                setattr(actor, column, value)
        bot = p.bool("bot")
        if bot is not None and actor.actor_type in ("Person", "Service"):
            actor.actor_type = "Service" if bot else "Person"
        await actor.save(
            update_fields=[
                "header_url",
                "manually_approves",
                "discoverable",
                "indexable",
                "actor_type",
            ]
        )
        await profiles.publish_update(rt, actor)
        if source:
            await preferences.update(
                user.id,
                privacy=privacy,
                sensitive=to_bool(source.get("sensitive")),
                language=source.get("language"),
            )
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    user.actor = actor
    return jsonify(await credential_account(rt, user))


@blueprint.get(f"{P}/lookup")
@scope_if_token("read:accounts")
async def lookup() -> Response:
    p = await params()
    handle = (p.str("acct") or "").strip().removeprefix("acct:").lstrip("@")
    if not handle:
        raise invalid("acct is missing", "acct")
    actor = await _by_acct(handle)
    if actor is None:
        raise not_found()
    return jsonify(await with_move(runtime(), actor))


async def _by_acct(handle: str) -> models.Actor | None:
    username, _, domain = handle.partition("@")
    domain = domain.lower()
    local = not domain or domain == runtime().urls.domain
    rows = models.Actor.filter(username__iexact=username, deleted_at=None)
    return await rows.filter(domain=None if local else domain).first()


@blueprint.get(f"{P}/search")
@require_scope("read:accounts")
async def search() -> Response:
    p = await params()
    found = await search_service.accounts(
        runtime(),
        current_actor(),
        p.str("q") or "",
        resolve=bool(p.bool("resolve", False)),
        limit=p.int("limit", 40, low=1, high=80, clamp=True) or 40,
        offset=p.offset(),
        following=bool(p.bool("following", False)),
    )
    return jsonify(accounts(runtime(), found))


@blueprint.get(f"{P}/relationships")
@require_scope("read:follows")
async def get_relationships() -> Response:
    p = await params()
    ids = [i for i in map(id_or_none, p.list("id")) if i is not None]
    return jsonify(await relationships(current_actor().id, ids))


@blueprint.get(f"{P}/familiar_followers")
@require_scope("read:follows")
async def familiar_followers() -> Response:
    p = await params()
    ids = [i for i in map(id_or_none, p.list("id")) if i is not None]
    viewer = current_actor()
    # followers of each target whom the viewer follows: two queries for the whole list
    mine = set(
        await models.Follow.filter(follower_id=viewer.id, state=FollowState.ACCEPTED).values_list(
            "target_id", flat=True
        )
    )
    rows = []
    if ids and mine:
        rows = await models.Follow.filter(
            target_id__in=ids, follower_id__in=list(mine), state=FollowState.ACCEPTED
        ).prefetch_related("follower")
    by_target: dict[int, list[models.Actor]] = {}
    for row in rows:
        if row.follower.deleted_at is None:
            by_target.setdefault(row.target_id, []).append(row.follower)
    rt = runtime()
    return jsonify([{"id": str(i), "accounts": accounts(rt, by_target.get(i, []))} for i in ids])


@blueprint.get(f"{P}/<raw_id>")
@scope_if_token("read:accounts")
async def get_account(raw_id: str) -> Response:
    return jsonify(await with_move(runtime(), await load_actor(raw_id)))


async def _follow_list(raw_id: str, *, followers: bool) -> Response:
    actor = await load_actor(raw_id)
    p = await params()
    pg = pagination.page(p, default=40, maximum=80)
    accepted = models.Follow.filter(state=FollowState.ACCEPTED)
    if followers:
        query = accepted.filter(target_id=actor.id, follower__deleted_at=None)
    else:
        query = accepted.filter(follower_id=actor.id, target__deleted_at=None)
    rows = await pagination.fetch(query, pg)
    other_ids = [row.follower_id if followers else row.target_id for row in rows]
    by_id = {a.id: a for a in await models.Actor.filter(id__in=other_ids)}
    response = jsonify(accounts(runtime(), [by_id[i] for i in other_ids if i in by_id]))
    link = pagination.link_header(rows[0].id, rows[-1].id) if rows else None
    if link:
        response.headers["Link"] = link
    return response


@blueprint.get(f"{P}/<raw_id>/followers")
@scope_if_token("read:accounts")
async def followers_list(raw_id: str) -> Response:
    return await _follow_list(raw_id, followers=True)


@blueprint.get(f"{P}/<raw_id>/following")
@scope_if_token("read:accounts")
async def following_list(raw_id: str) -> Response:
    return await _follow_list(raw_id, followers=False)


async def _answer(target: models.Actor) -> Response:
    return jsonify(await relationship(current_actor().id, target.id))


async def _other(raw_id: str) -> models.Actor:
    target = await load_actor(raw_id)
    if target.id == current_actor().id:
        raise invalid("you cannot do this to your own account", "id")
    return target


@blueprint.post(f"{P}/<raw_id>/follow")
@require_scope("write:follows", "follow")
async def follow(raw_id: str) -> Response:
    target = await _other(raw_id)
    await follows.follow(runtime(), current_actor(), target)
    return await _answer(target)


@blueprint.post(f"{P}/<raw_id>/unfollow")
@require_scope("write:follows", "follow")
async def unfollow(raw_id: str) -> Response:
    target = await load_actor(raw_id)
    await follows.unfollow(runtime(), current_actor(), target)
    return await _answer(target)


@blueprint.post(f"{P}/<raw_id>/remove_from_followers")
@require_scope("write:follows", "follow")
async def remove_from_followers(raw_id: str) -> Response:
    target = await load_actor(raw_id)
    await follows.unfollow(runtime(), target, current_actor())
    return await _answer(target)


@blueprint.post(f"{P}/<raw_id>/block")
@require_scope("write:blocks", "follow")
async def block(raw_id: str) -> Response:
    target = await _other(raw_id)
    await blocks.block(runtime(), current_actor(), target)
    return await _answer(target)


@blueprint.post(f"{P}/<raw_id>/unblock")
@require_scope("write:blocks", "follow")
async def unblock(raw_id: str) -> Response:
    target = await load_actor(raw_id)
    await blocks.unblock(runtime(), current_actor(), target)
    return await _answer(target)


@blueprint.post(f"{P}/<raw_id>/mute")
@require_scope("write:mutes", "follow")
async def mute(raw_id: str) -> Response:
    target = await _other(raw_id)
    p = await params()
    duration = p.int("duration", 0, low=0, high=MAX_MUTE_S) or 0
    expires = datetime.now(UTC) + timedelta(seconds=duration) if duration else None
    await models.Mute.update_or_create(
        defaults={"notifications": bool(p.bool("notifications", True)), "expires_at": expires},
        actor_id=current_actor().id,
        target_id=target.id,
    )
    return await _answer(target)


@blueprint.post(f"{P}/<raw_id>/unmute")
@require_scope("write:mutes", "follow")
async def unmute(raw_id: str) -> Response:
    target = await load_actor(raw_id)
    await blocks.unmute(current_actor(), target.id)
    return await _answer(target)
