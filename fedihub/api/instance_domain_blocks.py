"""GET /api/v1/instance/domain_blocks: the public list of moderated servers, shown to everyone,
to signed-in users only, or to nobody (404), as the run-time setting `show_domain_blocks` says
(Mastodon's setting of the same name); comments shown when `show_domain_blocks_rationale` is on.
"""

from __future__ import annotations

import hashlib
from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.accounts import node_settings
from fedihub.api.auth import optional_user, scope_if_token
from fedihub.errors import NotFound
from fedihub.models import Severity

blueprint = Blueprint("api_instance_domain_blocks", __name__)


def public_domain(block: models.DomainBlock) -> str:
    """The name as the public list shows it: starred in its middle when `obfuscate` is set
    (Mastodon's DomainBlock#public_domain)."""
    domain = block.domain
    if not block.obfuscate:
        return domain
    visible = len(domain) // 4
    return "".join(
        "*" if visible <= i < len(domain) - visible and ch != "." else ch
        for i, ch in enumerate(domain)
    )


def entity(block: models.DomainBlock, *, rationale: bool) -> dict[str, Any]:
    """Mastodon's DomainBlock entity (the public one)."""
    out: dict[str, Any] = {
        "domain": public_domain(block),
        "digest": hashlib.sha256(block.domain.encode()).hexdigest(),
        "severity": block.severity.value,
    }
    if rationale:
        out["comment"] = block.public_comment
    return out


@blueprint.get("/api/v1/instance/domain_blocks")
@scope_if_token("read")
async def domain_blocks() -> Response:
    shown = await node_settings.get("show_domain_blocks")
    if shown == "disabled" or (shown == "users" and await optional_user() is None):
        raise NotFound("Record not found")
    rationale = bool(await node_settings.get("show_domain_blocks_rationale"))
    rows = await models.DomainBlock.filter(
        severity__in=[Severity.SILENCE, Severity.SUSPEND]
    ).order_by("domain")
    return jsonify([entity(row, rationale=rationale) for row in rows])
