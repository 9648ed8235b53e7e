"""GET /api/fedihub/v1/admin/audit_log: the audit log for admins, newest first, with filters
(account_id: who acted; action; target_type; target; since and until, ISO 8601 times) and Link
pagination. Mastodon keeps its log in its web interface only, so this is fedihub's own route,
under Mastodon's admin scopes. There is no route that changes or deletes an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_user, require_scope
from fedihub.api.common import Params, invalid, params, parse_id
from fedihub.api.entities.common import iso
from fedihub.moderation import audit, staff

blueprint = Blueprint("api_admin_audit", __name__)


def entity(entry: models.AuditEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "account_id": None if entry.actor_id is None else str(entry.actor_id),
        "account": entry.actor_acct,
        "action": entry.action,
        "target_type": entry.target_type,
        "target": entry.target,
        "detail": entry.detail,
        "ip": entry.ip,
        "created_at": iso(entry.created_at),
    }


def _time(p: Params, name: str) -> datetime | None:
    raw = p.str(name)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"{name} must be an ISO 8601 time", name) from None


@blueprint.get("/api/fedihub/v1/admin/audit_log")
@require_scope("admin:read")
async def audit_log() -> Response:
    await staff.require(current_user(), staff.Permission.AUDIT)
    p = await params()
    query = audit.search(
        actor_id=parse_id(p.str("account_id")) if p.str("account_id") else None,
        action=p.str("action"),
        target_type=p.str("target_type"),
        target=p.str("target"),
        since=_time(p, "since"),
        until=_time(p, "until"),
    )
    rows = await pagination.fetch(query, pagination.page(p, default=100, maximum=500))
    return pagination.with_link(jsonify([entity(r) for r in rows]), rows)
