"""/api/v2/notifications: Mastodon 4.3's grouped notifications (fedihub/notifications/grouping.py
groups them), one group, its accounts, dismissing a group, and the count of unread groups."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api import filters, pagination
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import Params, invalid, not_found, params
from fedihub.api.entities.account import account
from fedihub.api.entities.common import iso
from fedihub.api.entities.status import shown_by_id
from fedihub.api.notifications import last_read_id, scoped
from fedihub.notifications import grouping
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_grouped_notifications", __name__)
P = "/api/v2/notifications"
_EXPANDS = ("full", "partial_avatars")


def _grouped_types(p: Params) -> list[str]:
    asked = [str(t) for t in p.list("grouped_types")]
    return [t for t in asked if t in grouping.GROUPABLE] if asked else list(grouping.GROUPABLE)


def partial_account(rt: Runtime, actor: models.Actor) -> dict[str, Any]:
    """Mastodon's PartialAccountWithAvatar: enough to draw an avatar in a group's row."""
    full = account(rt, actor)
    keep = ("id", "acct", "locked", "bot", "url", "avatar", "avatar_static")
    return {**{k: full[k] for k in keep}, "avatar_description": ""}


async def results(
    rt: Runtime,
    groups: list[grouping.Group],
    viewer: models.Actor,
    *,
    paginated: bool,
    expand: str = "full",
) -> dict[str, Any]:
    """GroupedNotificationsResults: the groups, and the accounts and statuses they name, each
    once. A group whose status the viewer may no longer see, or one of her `hide` filters of the
    notifications context matches, is left out, as on v1; `warn` matches fill `filtered`."""
    status_ids = {g.notification.status_id for g in groups if g.notification.status_id}
    seen_by_viewer = await shown_by_id(rt, status_ids, viewer)
    kept = await filters.apply(viewer, "notifications", list(seen_by_viewer.values()))
    rendered = {int(entity["id"]): entity for entity in kept}
    shown = [
        g for g in groups if not g.notification.status_id or g.notification.status_id in rendered
    ]
    actor_ids = {i for g in shown for i in g.sample_account_ids}
    actors = {a.id: a for a in await models.Actor.filter(id__in=actor_ids)}
    full_ids: list[int] = []
    partial_ids: list[int] = []
    for g in shown:
        present = [i for i in g.sample_account_ids if i in actors]
        if expand == "partial_avatars":
            full_ids += present[:1]
            partial_ids += present[1:]
        else:
            full_ids += present
    full_ids = list(dict.fromkeys(full_ids))
    partial_ids = [i for i in dict.fromkeys(partial_ids) if i not in set(full_ids)]
    statuses: list[dict[str, Any]] = []
    seen: set[int] = set()
    for g in shown:
        sid = g.notification.status_id
        if sid and sid not in seen:
            seen.add(sid)
            statuses.append(rendered[sid])
    body: dict[str, Any] = {
        "accounts": [account(rt, actors[i]) for i in full_ids],
        "statuses": statuses,
        "notification_groups": [group_entity(g, actors, paginated=paginated) for g in shown],
    }
    if expand == "partial_avatars":
        body["partial_accounts"] = [partial_account(rt, actors[i]) for i in partial_ids]
    return body


def group_entity(
    g: grouping.Group, actors: dict[int, models.Actor], *, paginated: bool
) -> dict[str, Any]:
    n = g.notification
    out: dict[str, Any] = {
        "group_key": g.key,
        "notifications_count": g.count,
        "type": n.kind,
        "most_recent_notification_id": n.id,
        "sample_account_ids": [str(i) for i in g.sample_account_ids if i in actors],
    }
    if paginated:
        out["page_min_id"] = str(g.page_min_id)
        out["page_max_id"] = str(g.page_max_id)
        out["latest_page_notification_at"] = iso(g.latest_at)
    if n.status_id:
        out["status_id"] = str(n.status_id)
    return out


def _expand(p: Params) -> str:
    expand = p.str("expand_accounts") or "full"
    if expand not in _EXPANDS:
        raise invalid("expand_accounts must be full or partial_avatars", "expand_accounts")
    return expand


@blueprint.get(P)
@require_scope("read:notifications")
async def index() -> Response:
    viewer = current_actor()
    p = await params()
    pg = pagination.page(p, default=40, maximum=80)
    cursor = grouping.Cursor(pg.max_id, pg.since_id, pg.min_id)
    groups = await grouping.page(scoped(viewer, p), pg.limit, cursor, _grouped_types(p))
    body = await results(runtime(), groups, viewer, paginated=True, expand=_expand(p))
    response = jsonify(body)
    if groups:
        # as Mastodon: the next page goes back from the oldest group's leading notification
        ids = [g.notification.id for g in groups]
        link = pagination.link_header(max(ids), min(ids))
        if link:
            response.headers["Link"] = link
    return response


@blueprint.get(f"{P}/unread_count")
@require_scope("read:notifications")
async def unread_count() -> Response:
    viewer = current_actor()
    p = await params()
    limit = p.int("limit", 100, low=1, high=1000, clamp=True) or 100
    count = await grouping.unread_groups(
        scoped(viewer, p), await last_read_id(viewer), limit, _grouped_types(p)
    )
    return jsonify({"count": count})


async def _group(key: str) -> grouping.Group:
    found = await grouping.one(current_actor().id, key)
    if found is None:
        raise not_found()
    return found


@blueprint.get(f"{P}/<group_key>")
@require_scope("read:notifications")
async def show(group_key: str) -> Response:
    viewer = current_actor()
    group = await _group(group_key)
    body = await results(runtime(), [group], viewer, paginated=False)
    if not body["notification_groups"]:
        raise not_found()
    return jsonify(body)


@blueprint.get(f"{P}/<group_key>/accounts")
@require_scope("read:notifications")
async def accounts(group_key: str) -> Response:
    """Everyone in the group, newest first (up to 80, the group's latest)."""
    viewer = current_actor()
    await _group(group_key)
    ids = await models.column(
        grouping.members(viewer.id, group_key)
        .filter(filtered=False)
        .order_by("-id")
        .limit(80)
        .values_list("from_actor_id", flat=True)
    )
    order = list(dict.fromkeys(int(i) for i in ids))
    actors = {a.id: a for a in await models.Actor.filter(id__in=order)}
    rt = runtime()
    return jsonify([account(rt, actors[i]) for i in order if i in actors])


@blueprint.post(f"{P}/<group_key>/dismiss")
@require_scope("write:notifications")
async def dismiss(group_key: str) -> Response:
    await grouping.members(current_actor().id, group_key).delete()
    return jsonify({})
