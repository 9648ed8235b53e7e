"""The directory: Mastodon's `GET /api/v1/directory` and fedihub's expertise search.

`/api/v1/directory` lists accounts this node knows as Mastodon does (`local`, `order`, paging by
offset); `/api/fedihub/v1/directory` searches every entry, including researchers read from other
fedihub nodes' directories whom nobody here follows yet, by words, research area, affiliation,
language and node, and says which node each lives on. Both are public, as on Mastodon; peers read
the second with `local=true` (discovery/peers.py).
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response

from fedihub import models
from fedihub.activitypub.documents import format_datetime
from fedihub.api.auth import scope_if_token
from fedihub.api.common import invalid, params
from fedihub.api.entities.account import accounts as account_entities
from fedihub.api.pagination import offset_paged
from fedihub.discovery import directory
from fedihub.web.common import runtime

blueprint = Blueprint("api_directory", __name__)
MAX_QUERY_CHARS = 500
ORDERS = ("active", "new")


def _order(value: str | None) -> str:
    order = value or "active"
    if order not in ORDERS:
        raise invalid("order must be active or new", "order")
    return order


@blueprint.get("/api/v1/directory")
@scope_if_token("read:accounts")
async def mastodon_directory() -> Response:
    p = await params()
    offset = p.offset()
    limit = p.int("limit", 40, low=1, high=80, clamp=True) or 40
    query = directory.Query(
        order=_order(p.str("order")),
        local=True if p.bool("local") else None,
        with_account_only=True,
        hidden_nodes=await directory.hidden_nodes(),
    )
    rows = await directory.search(query, limit=limit, offset=offset)
    by_id = await models.Actor.in_bulk([r.actor_id for r in rows if r.actor_id], "id")
    actors = [by_id[r.actor_id] for r in rows if r.actor_id in by_id]
    return offset_paged(account_entities(runtime(), actors), offset, limit)


def entry_entity(row: models.DirectoryEntry) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "uri": row.uri,
        "acct": f"{row.username}@{row.node}",
        "username": row.username,
        "node": row.node,
        "local": row.local,
        "display_name": row.display_name,
        "note": row.note,
        "url": row.url or row.uri,
        "avatar": row.avatar_url,
        "research_areas": list(row.research_areas or []),
        "affiliation": row.affiliation,
        "languages": list(row.languages or []),
        "followers_count": row.followers_count,
        "statuses_count": row.statuses_count,
        "created_at": format_datetime(row.joined_at),
        "last_status_at": row.last_status_at.date().isoformat() if row.last_status_at else None,
        "account_id": str(row.actor_id) if row.actor_id else None,
    }


@blueprint.get("/api/fedihub/v1/directory")
@scope_if_token("read:accounts")
async def expertise_directory() -> Response:
    p = await params()
    fields = {}
    for name in ("q", "area", "affiliation", "language", "node"):
        value = (p.str(name) or "").strip()
        if len(value) > MAX_QUERY_CHARS:
            raise invalid(f"{name} is longer than {MAX_QUERY_CHARS} characters", name)
        fields[name] = value
    offset = p.offset()
    limit = p.int("limit", 40, low=1, high=80, clamp=True) or 40
    local = p.bool("local")
    query = directory.Query(
        text=fields["q"],
        area=fields["area"],
        affiliation=fields["affiliation"],
        language=fields["language"],
        node=fields["node"],
        local=local,
        order=_order(p.str("order")),
        hidden_nodes=await directory.hidden_nodes(),
    )
    rows = await directory.search(query, limit=limit, offset=offset)
    return offset_paged([entry_entity(r) for r in rows], offset, limit)
