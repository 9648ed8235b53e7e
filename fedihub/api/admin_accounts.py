"""The Mastodon admin API for accounts: /api/v1/admin/accounts and /api/v2/admin/accounts (list
with filters, show), and the actions (action: none, sensitive, disable, silence, suspend; enable,
unsilence, unsuspend, unsensitive), with Mastodon's admin scopes, for admins and moderators.
Each action is recorded in the audit log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from quart import Blueprint, Response, jsonify, request
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_user, require_scope
from fedihub.api.common import Params, invalid, params, parse_id
from fedihub.api.entities.account import account
from fedihub.api.entities.common import iso
from fedihub.errors import NotFound
from fedihub.models import StaffRole
from fedihub.moderation import actions, audit, staff
from fedihub.runtime import Runtime
from fedihub.web.common import runtime

blueprint = Blueprint("api_admin_accounts", __name__)

_ROLES = {
    "admin": {"id": "3", "name": "Admin", "color": "", "permissions": "1", "highlighted": True},
    StaffRole.MODERATOR.value: {
        "id": "2",
        "name": "Moderator",
        "color": "",
        "permissions": "1308",  # Mastodon's Moderator: reports, users, audit log, warnings
        "highlighted": True,
    },
    "": {"id": "-99", "name": "", "color": "", "permissions": "0", "highlighted": False},
}


async def entity(rt: Runtime, actor: models.Actor) -> dict[str, Any]:
    """Mastodon's Admin::Account."""
    user = await models.User.get_or_none(actor_id=actor.id)
    row = await models.AccountModeration.get_or_none(actor_id=actor.id)
    role = ""
    if user is not None:
        role = "admin" if user.is_admin else (row.role.value if row else "")
    return {
        "id": str(actor.id),
        "username": actor.username,
        "domain": actor.domain,
        "created_at": iso(actor.created_at),
        "email": user.email if user else "",
        "ip": None,
        "ips": [],
        "locale": user.locale if user else "",
        "invite_request": None,
        "role": _ROLES[role],
        "confirmed": user is not None,
        "approved": user is not None,
        "disabled": bool(user and user.disabled),
        "silenced": bool(row and row.silenced_at),
        "suspended": bool(row and row.suspended_at),
        "sensitized": bool(row and row.sensitized_at),
        "account": account(rt, actor),
        "created_by_application_id": None,
        "invited_by_account_id": None,
    }


async def _staff() -> models.User:
    user = current_user()
    await staff.require(user, staff.Permission.ACCOUNTS)
    return user


async def _target(raw_id: str) -> models.Actor:
    actor = await models.Actor.get_or_none(id=parse_id(raw_id))
    if actor is None:
        raise NotFound("Record not found")
    return actor


def _moderated(field: str) -> Q:
    marked = models.AccountModeration.filter(**{f"{field}__not_isnull": True})
    return Q(id__in=Subquery(marked.values("actor_id")))


def _filtered(p: Params, *, v2: bool) -> QuerySet[models.Actor]:
    query = models.Actor.filter(actor_type__in=["Person", "Service", "Group", "Application"])
    origin = p.str("origin") if v2 else None
    if origin == "local" or (not v2 and p.bool("local")):
        query = query.filter(domain__isnull=True)
    elif origin == "remote" or (not v2 and p.bool("remote")):
        query = query.filter(domain__not_isnull=True)
    status = p.str("status") if v2 else None
    for name in ("disabled", "silenced", "suspended", "sensitized"):
        if status == name or (not v2 and p.bool(name)):
            if name == "disabled":
                query = query.filter(user__disabled=True)
            else:
                query = query.filter(_moderated(f"{name}_at"))
    if status == "active" or (not v2 and p.bool("active")):
        query = query.exclude(_moderated("suspended_at"))
    if (p.str("permissions") if v2 else ("staff" if p.bool("staff") else None)) == "staff":
        moderators = models.AccountModeration.filter(role=StaffRole.MODERATOR)
        query = query.filter(
            Q(user__is_admin=True) | Q(id__in=Subquery(moderators.values("actor_id")))
        )
    if p.str("by_domain"):
        query = query.filter(domain=(p.str("by_domain") or "").lower())
    if p.str("username"):
        query = query.filter(username__istartswith=p.str("username"))
    if p.str("display_name"):
        query = query.filter(display_name__icontains=p.str("display_name"))
    if p.str("email"):
        query = query.filter(user__email__icontains=(p.str("email") or "").lower())
    return query


async def _list(v2: bool) -> Response:
    await _staff()
    p = await params()
    pg = pagination.page(p, default=100, maximum=200)
    rows = await pagination.fetch(_filtered(p, v2=v2), pg)
    rt = runtime()
    return pagination.with_link(jsonify([await entity(rt, a) for a in rows]), rows)


@blueprint.get("/api/v1/admin/accounts")
@require_scope("admin:read:accounts")
async def list_v1() -> Response:
    return await _list(False)


@blueprint.get("/api/v2/admin/accounts")
@require_scope("admin:read:accounts")
async def list_v2() -> Response:
    return await _list(True)


@blueprint.get("/api/v1/admin/accounts/<raw_id>")
@require_scope("admin:read:accounts")
async def show(raw_id: str) -> Response:
    await _staff()
    return jsonify(await entity(runtime(), await _target(raw_id)))


@blueprint.post("/api/v1/admin/accounts/<raw_id>/action")
@require_scope("admin:write:accounts")
async def act(raw_id: str) -> Response:
    user = await _staff()
    target = await _target(raw_id)
    p = await params()
    try:
        action = actions.Action(p.str("type") or "none")
    except ValueError:
        raise invalid("type must be none, sensitive, disable, silence or suspend", "type") from None
    await _not_staff(target)
    await actions.perform(runtime(), target, action)
    detail = p.str("text") or ""
    report_id = p.str("report_id")
    if report_id:
        detail = f"report {report_id}: {detail}"
    await audit.record(
        user, action.value, "Account", _acct(target), ip=request.remote_addr, detail=detail
    )
    return jsonify({})


async def _not_staff(target: models.Actor) -> None:
    """Staff accounts are acted on by the command line, not by each other through the API."""
    user = await models.User.get_or_none(actor_id=target.id)
    if user is not None and await staff.role_of(user):
        raise invalid("staff accounts cannot be acted on through the API", "id")


def _acct(actor: models.Actor) -> str:
    return actor.username if actor.domain is None else f"{actor.username}@{actor.domain}"


async def _undo(raw_id: str, what: actions.Undo) -> Response:
    user = await _staff()
    target = await _target(raw_id)
    rt = runtime()
    await actions.undo(rt, target, what)
    await audit.record(user, what.value, "Account", _acct(target), ip=request.remote_addr)
    return jsonify(await entity(rt, target))


def _undo_view(what: actions.Undo) -> Callable[[str], Awaitable[Response]]:
    async def view(raw_id: str) -> Response:
        return await _undo(raw_id, what)

    return view


# POST /api/v1/admin/accounts/<id>/enable, /unsilence, /unsuspend, /unsensitive
for _what in actions.Undo:
    blueprint.add_url_rule(
        f"/api/v1/admin/accounts/<raw_id>/{_what.value}",
        _what.value,
        require_scope("admin:write:accounts")(_undo_view(_what)),
        methods=["POST"],
    )
