"""The notification policy (GET|PATCH /api/v2/notifications/policy) and the requests holding what
it filtered (/api/v1/notifications/requests: list, one, accept, dismiss, both in bulk, merged).
fedihub/notifications/policy.py decides and keeps them."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import id_or_none, invalid, not_found, params, parse_id
from fedihub.api.entities.account import account
from fedihub.api.entities.common import iso
from fedihub.api.entities.status import shown_by_id
from fedihub.notifications import policy
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_notification_requests", __name__)
POLICY = "/api/v2/notifications/policy"
V1_POLICY = "/api/v1/notifications/policy"
# the v1 policy's booleans and the v2 fields they stand for (Mastodon 4.3: true is filter)
_V1 = {
    "filter_not_following": "for_not_following",
    "filter_not_followers": "for_not_followers",
    "filter_new_accounts": "for_new_accounts",
    "filter_private_mentions": "for_private_mentions",
}
R = "/api/v1/notifications/requests"
_BULK_MAX = 100


async def policy_entity(actor: models.Actor) -> dict[str, Any]:
    found = await policy.of(actor.id)
    summary = await policy.summary(actor.id)
    return {
        **{name: getattr(found, name) for name in policy.FIELDS},
        "summary": {
            "pending_requests_count": summary.pending_requests,
            "pending_notifications_count": summary.pending_notifications,
        },
    }


@blueprint.get(POLICY)
@require_scope("read:notifications")
async def show_policy() -> Response:
    return jsonify(await policy_entity(current_actor()))


@blueprint.patch(POLICY)
@require_scope("write:notifications")
async def change_policy() -> Response:
    p = await params()
    values: dict[str, policy.Verdict] = {}
    for name in policy.FIELDS:
        value = p.str(name)
        if value is None:
            continue
        if value not in policy.VERDICTS:
            raise invalid(f"{name} must be accept, filter or drop", name)
        values[name] = value
    actor = current_actor()
    if values:
        await policy.change(actor.id, values)
    return jsonify(await policy_entity(actor))


async def v1_policy_entity(actor: models.Actor) -> dict[str, Any]:
    """The v1 shape: each condition filtered or not (a v2 drop reads as filtered)."""
    v2 = await policy_entity(actor)
    return {old: v2[new] != "accept" for old, new in _V1.items()} | {"summary": v2["summary"]}


@blueprint.get(V1_POLICY)
@require_scope("read:notifications")
async def show_v1_policy() -> Response:
    return jsonify(await v1_policy_entity(current_actor()))


@blueprint.patch(V1_POLICY)
@require_scope("write:notifications")
async def change_v1_policy() -> Response:
    p = await params()
    values: dict[str, policy.Verdict] = {}
    for old, new in _V1.items():
        if p.has(old):
            flag = p.bool(old)
            if flag is None:
                raise invalid(f"{old} must be true or false", old)
            values[new] = "filter" if flag else "accept"
    actor = current_actor()
    if values:
        await policy.change(actor.id, values)
    return jsonify(await v1_policy_entity(actor))


async def request_entities(
    rt: Runtime, rows: list[models.NotificationRequest], viewer: models.Actor
) -> list[dict[str, Any]]:
    actors = {a.id: a for a in await models.Actor.filter(id__in={r.from_actor_id for r in rows})}
    status_ids = {r.last_status_id for r in rows if r.last_status_id}
    rendered = await shown_by_id(rt, status_ids, viewer)
    out = []
    for row in rows:
        sender = actors.get(row.from_actor_id)
        if sender is None:
            continue
        out.append(
            {
                "id": str(row.id),
                "created_at": iso(row.created_at),
                "updated_at": iso(row.updated_at),
                "account": account(rt, sender),
                "notifications_count": str(row.notifications_count),
                "last_status": rendered.get(row.last_status_id) if row.last_status_id else None,
            }
        )
    return out


@blueprint.get(R)
@require_scope("read:notifications")
async def index() -> Response:
    viewer = current_actor()
    pg = pagination.page(await params(), default=40, maximum=80)
    rows = await pagination.fetch(models.NotificationRequest.filter(recipient_id=viewer.id), pg)
    response = jsonify(await request_entities(runtime(), rows, viewer))
    return pagination.with_link(response, rows)


@blueprint.get(f"{R}/merged")
@require_scope("read:notifications")
async def merged() -> Response:
    # accepting moves a request's notifications into the list before answering: always merged
    return jsonify({"merged": True})


async def _one(raw_id: str) -> models.NotificationRequest:
    row = await models.NotificationRequest.get_or_none(
        id=parse_id(raw_id), recipient_id=current_actor().id
    )
    if row is None:
        raise not_found()
    return row


@blueprint.get(f"{R}/<raw_id>")
@require_scope("read:notifications")
async def show(raw_id: str) -> Response:
    found = await request_entities(runtime(), [await _one(raw_id)], current_actor())
    if not found:
        raise not_found()
    return jsonify(found[0])


@blueprint.post(f"{R}/<raw_id>/accept")
@require_scope("write:notifications")
async def accept(raw_id: str) -> Response:
    await policy.accept(await _one(raw_id))
    return jsonify({})


@blueprint.post(f"{R}/<raw_id>/dismiss")
@require_scope("write:notifications")
async def dismiss(raw_id: str) -> Response:
    await policy.dismiss(await _one(raw_id))
    return jsonify({})


async def _many() -> list[models.NotificationRequest]:
    p = await params()
    ids = [i for i in (id_or_none(v) for v in p.list("id")) if i is not None]
    if len(ids) > _BULK_MAX:
        raise invalid(f"at most {_BULK_MAX} ids at once", "id")
    return list(
        await models.NotificationRequest.filter(id__in=ids, recipient_id=current_actor().id)
    )


@blueprint.post(f"{R}/accept")
@require_scope("write:notifications")
async def accept_many() -> Response:
    for row in await _many():
        await policy.accept(row)
    return jsonify({})


@blueprint.post(f"{R}/dismiss")
@require_scope("write:notifications")
async def dismiss_many() -> Response:
    for row in await _many():
        await policy.dismiss(row)
    return jsonify({})
