"""The Mastodon admin API for reports: /api/v1/admin/reports (list with resolved, account_id and
target_account_id filters; show; assign_to_self, unassign, resolve, reopen), with Mastodon's admin
scopes, for admins and moderators. Resolving tells a local reporter the outcome (`text`, a
fedihub addition); each action is recorded in the audit log."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify, request

from fedihub import models
from fedihub.api import admin_accounts, pagination
from fedihub.api import reports as report_api
from fedihub.api.auth import current_user, require_scope
from fedihub.api.common import params, parse_id
from fedihub.api.entities.common import iso
from fedihub.api.entities.status import statuses
from fedihub.moderation import audit, reports, staff
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_admin_reports", __name__)


async def _account(rt: Runtime, actor_id: int | None) -> dict[str, Any] | None:
    if actor_id is None:
        return None
    actor = await models.Actor.get_or_none(id=actor_id)
    return None if actor is None else await admin_accounts.entity(rt, actor)


async def entity(rt: Runtime, report: models.Report, viewer: models.Actor) -> dict[str, Any]:
    """Mastodon's Admin::Report; the reported statuses as the moderator may see them."""
    items = await models.Status.filter(id__in=report.status_ids).order_by("-id")
    return {
        **report_api.shared_fields(report),
        "updated_at": iso(report.updated_at),
        "account": await _account(rt, report.reporter_id),
        "target_account": await _account(rt, report.target_id),
        "assigned_account": await _account(rt, report.assigned_actor_id),
        "action_taken_by_account": await _account(rt, report.action_taken_by_actor_id),
        "statuses": await statuses(rt, list(items), viewer),
        "rules": [],
    }


async def _staff() -> models.User:
    user = current_user()
    await staff.require(user, staff.Permission.REPORTS)
    return user


@blueprint.get("/api/v1/admin/reports")
@require_scope("admin:read:reports")
async def list_reports() -> Response:
    user = await _staff()
    p = await params()
    query = models.Report.filter(action_taken_at__isnull=not p.bool("resolved"))
    for name, column in (("account_id", "reporter_id"), ("target_account_id", "target_id")):
        if p.str(name):
            query = query.filter(**{column: parse_id(p.str(name))})
    pg = pagination.page(p, default=100, maximum=200)
    rows = await pagination.fetch(query, pg)
    rt = runtime()
    body = [await entity(rt, r, user.actor) for r in rows]
    return pagination.with_link(jsonify(body), rows)


@blueprint.get("/api/v1/admin/reports/<raw_id>")
@require_scope("admin:read:reports")
async def show(raw_id: str) -> Response:
    user = await _staff()
    report = await reports.get(parse_id(raw_id))
    return jsonify(await entity(runtime(), report, user.actor))


async def _changed(raw_id: str, action: str, detail: str = "") -> tuple[models.User, Any]:
    user = await _staff()
    report = await reports.get(parse_id(raw_id))
    await audit.record(
        user, action, "Report", str(report.id), ip=request.remote_addr, detail=detail
    )
    return user, report


@blueprint.post("/api/v1/admin/reports/<raw_id>/assign_to_self")
@require_scope("admin:write:reports")
async def assign_to_self(raw_id: str) -> Response:
    user, report = await _changed(raw_id, "assigned_to_self")
    await reports.assign(report, user.actor_id)
    return jsonify(await entity(runtime(), report, user.actor))


@blueprint.post("/api/v1/admin/reports/<raw_id>/unassign")
@require_scope("admin:write:reports")
async def unassign(raw_id: str) -> Response:
    user, report = await _changed(raw_id, "unassigned")
    await reports.assign(report, None)
    return jsonify(await entity(runtime(), report, user.actor))


@blueprint.post("/api/v1/admin/reports/<raw_id>/resolve")
@require_scope("admin:write:reports")
async def resolve(raw_id: str) -> Response:
    text = (await params()).str("text") or ""
    user, report = await _changed(raw_id, "resolve", text)
    rt = runtime()
    await reports.resolve(rt, report, user.actor, text)
    return jsonify(await entity(rt, report, user.actor))


@blueprint.post("/api/v1/admin/reports/<raw_id>/reopen")
@require_scope("admin:write:reports")
async def reopen(raw_id: str) -> Response:
    user, report = await _changed(raw_id, "reopen")
    await reports.reopen(report)
    return jsonify(await entity(runtime(), report, user.actor))
