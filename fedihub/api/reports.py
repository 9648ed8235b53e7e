"""POST /api/v1/reports: a user reports an account and some of its statuses (Mastodon's method:
account_id, status_ids[], comment, forward, category, rule_ids[]); answers the Report entity."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_user, require_scope
from fedihub.api.common import id_or_none, params, parse_id
from fedihub.api.entities.account import account
from fedihub.api.entities.common import iso
from fedihub.moderation import reports
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_reports", __name__)


def shared_fields(report: models.Report) -> dict[str, Any]:
    """The fields Mastodon's Report and Admin::Report share."""
    return {
        "id": str(report.id),
        "action_taken": report.action_taken_at is not None,
        "action_taken_at": iso(report.action_taken_at),
        "category": report.category.value,
        "comment": report.comment,
        "forwarded": report.forwarded,
        "created_at": iso(report.created_at),
    }


def entity(rt: Runtime, report: models.Report, target: models.Actor) -> dict[str, Any]:
    """Mastodon's Report (as its reporter sees it)."""
    return {
        **shared_fields(report),
        "status_ids": [str(i) for i in report.status_ids] or None,
        "rule_ids": list(report.rule_ids) or None,
        "target_account": account(rt, target),
    }


@blueprint.post("/api/v1/reports")
@require_scope("write:reports")
async def create() -> Response:
    p = await params()
    draft = reports.Draft(
        target_id=parse_id(p.str("account_id")),
        status_ids=[i for i in map(id_or_none, p.list("status_ids")) if i is not None],
        category=p.str("category") or "",
        rule_ids=[str(r) for r in p.list("rule_ids")],
        comment=p.str("comment") or "",
        forward=bool(p.bool("forward")),
    )
    rt = runtime()
    report = await reports.create(rt, current_user(), draft)
    target = await models.Actor.get(id=report.target_id)
    return jsonify(entity(rt, report, target))
