"""The Mastodon admin API for the node's policy towards other servers: /api/v1/admin/domain_blocks
and /api/v1/admin/domain_allows, with Mastodon's admin scopes, for admins (moderators may not
change federation, as on Mastodon). Each change is recorded in the audit log."""

from __future__ import annotations

import hashlib
from typing import Any

from quart import Blueprint, Response, jsonify, request

from fedihub import models
from fedihub.api import pagination
from fedihub.api.auth import current_user, require_scope
from fedihub.api.common import params, parse_id
from fedihub.api.entities.common import iso
from fedihub.errors import Invalid, NotFound
from fedihub.models import Severity
from fedihub.moderation import audit, domains, staff
from fedihub.web.common import runtime

blueprint = Blueprint("api_admin_domains", __name__)


def block_entity(block: models.DomainBlock) -> dict[str, Any]:
    """Mastodon's Admin::DomainBlock."""
    return {
        "id": str(block.id),
        "domain": block.domain,
        "digest": hashlib.sha256(block.domain.encode()).hexdigest(),
        "created_at": iso(block.created_at),
        "severity": block.severity.value,
        "reject_media": block.reject_media,
        "reject_reports": block.reject_reports,
        "private_comment": block.private_comment or None,
        "public_comment": block.public_comment or None,
        "obfuscate": block.obfuscate,
    }


def allow_entity(allow: models.DomainAllow) -> dict[str, Any]:
    """Mastodon's Admin::DomainAllow."""
    return {"id": str(allow.id), "domain": allow.domain, "created_at": iso(allow.created_at)}


async def _admin() -> models.User:
    user = current_user()
    await staff.require(user, staff.Permission.FEDERATION)
    return user


# ---- domain blocks ------------------------------------------------------------------------------


@blueprint.get("/api/v1/admin/domain_blocks")
@require_scope("admin:read:domain_blocks")
async def list_blocks() -> Response:
    await _admin()
    pg = pagination.page(await params(), default=100, maximum=200)
    rows = await pagination.fetch(models.DomainBlock.all(), pg)
    return pagination.with_link(jsonify([block_entity(r) for r in rows]), rows)


@blueprint.get("/api/v1/admin/domain_blocks/<raw_id>")
@require_scope("admin:read:domain_blocks")
async def show_block(raw_id: str) -> Response:
    await _admin()
    return jsonify(block_entity(await domains.get_block(parse_id(raw_id))))


async def _spec() -> dict[str, Any]:
    """The block fields the request gives."""
    p = await params()
    changes: dict[str, Any] = {}
    if p.has("severity"):
        try:
            changes["severity"] = Severity(p.str("severity") or "")
        except ValueError:
            raise Invalid("severity must be silence, suspend or noop", field="severity") from None
    for name in ("reject_media", "reject_reports", "obfuscate"):
        if p.has(name):
            changes[name] = bool(p.bool(name))
    for name in ("private_comment", "public_comment"):
        if p.has(name):
            changes[name] = p.str(name) or ""
    return changes


@blueprint.post("/api/v1/admin/domain_blocks")
@require_scope("admin:write:domain_blocks")
async def create_block() -> Response:
    user = await _admin()
    rt = runtime()
    p = await params()
    domain = domains.checked_domain(rt, p.str("domain") or "")
    existing = await models.DomainBlock.get_or_none(domain=domain)
    if existing is not None:
        # Mastodon's answer to a second block of one domain, with the block that exists
        raise Invalid(f"{domain} is already blocked: change that block instead", field="domain")
    spec = domains.BlockSpec(**{"severity": Severity.SILENCE, **await _spec()})
    row = await domains.block(rt, domain, spec)
    await audit.record(
        user, "create", "DomainBlock", row.domain, detail=row.severity.value, ip=request.remote_addr
    )
    return jsonify(block_entity(row))


@blueprint.put("/api/v1/admin/domain_blocks/<raw_id>")
@require_scope("admin:write:domain_blocks")
async def update_block(raw_id: str) -> Response:
    user = await _admin()
    row = await domains.update(runtime(), parse_id(raw_id), **await _spec())
    await audit.record(
        user, "update", "DomainBlock", row.domain, detail=row.severity.value, ip=request.remote_addr
    )
    return jsonify(block_entity(row))


@blueprint.delete("/api/v1/admin/domain_blocks/<raw_id>")
@require_scope("admin:write:domain_blocks")
async def delete_block(raw_id: str) -> Response:
    user = await _admin()
    row = await domains.unblock(parse_id(raw_id))
    await audit.record(user, "destroy", "DomainBlock", row.domain, ip=request.remote_addr)
    return jsonify({})


# ---- domain allows ------------------------------------------------------------------------------


@blueprint.get("/api/v1/admin/domain_allows")
@require_scope("admin:read:domain_allows")
async def list_allows() -> Response:
    await _admin()
    pg = pagination.page(await params(), default=100, maximum=200)
    rows = await pagination.fetch(models.DomainAllow.all(), pg)
    return pagination.with_link(jsonify([allow_entity(r) for r in rows]), rows)


@blueprint.get("/api/v1/admin/domain_allows/<raw_id>")
@require_scope("admin:read:domain_allows")
async def show_allow(raw_id: str) -> Response:
    await _admin()
    row = await models.DomainAllow.get_or_none(id=parse_id(raw_id))
    if row is None:
        raise NotFound("Record not found")
    return jsonify(allow_entity(row))


@blueprint.post("/api/v1/admin/domain_allows")
@require_scope("admin:write:domain_allows")
async def create_allow() -> Response:
    user = await _admin()
    row = await domains.allow(runtime(), (await params()).str("domain") or "")
    await audit.record(user, "create", "DomainAllow", row.domain, ip=request.remote_addr)
    return jsonify(allow_entity(row))


@blueprint.delete("/api/v1/admin/domain_allows/<raw_id>")
@require_scope("admin:write:domain_allows")
async def delete_allow(raw_id: str) -> Response:
    user = await _admin()
    row = await domains.disallow(parse_id(raw_id))
    await audit.record(user, "destroy", "DomainAllow", row.domain, ip=request.remote_addr)
    return jsonify({})
