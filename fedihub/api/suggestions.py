"""Whom to follow: Mastodon's /api/v2/suggestions (and v1), and fedihub's with the reasons in words.

They read what the background refresh stored (discovery/suggestions.py); a request never
computes. Dismissing one (`DELETE /api/v1/suggestions/:account_id`) keeps her out for good.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import params, parse_id
from fedihub.api.entities.account import account as account_entity
from fedihub.api.entities.article import articles as article_entities
from fedihub.discovery import reading, suggestions
from fedihub.knowledge import search as knowledge_search
from fedihub.web.common import runtime

blueprint = Blueprint("api_suggestions", __name__)


async def _stored() -> list[models.Suggestion]:
    p = await params()
    limit = p.int("limit", 40, low=1, high=80, clamp=True) or 40
    return await suggestions.stored(current_actor().id, limit=limit)


def _legacy_source(row: models.Suggestion) -> str:
    # Mastodon's older single `source`: what the viewer did herself, else the network's
    return "past_interactions" if "most_interactions" in (row.sources or []) else "global"


@blueprint.get("/api/v2/suggestions")
@require_scope("read:accounts")
async def suggestions_v2() -> Response:
    rt = runtime()
    return jsonify(
        [
            {
                "source": _legacy_source(row),
                "sources": list(row.sources or []),
                "account": account_entity(rt, row.account),
            }
            for row in await _stored()
        ]
    )


@blueprint.get("/api/v1/suggestions")
@require_scope("read:accounts")
async def suggestions_v1() -> Response:
    rt = runtime()
    return jsonify([account_entity(rt, row.account) for row in await _stored()])


@blueprint.delete("/api/v1/suggestions/<raw_id>")
@require_scope("read:accounts")
async def dismiss(raw_id: str) -> Response:
    await suggestions.dismiss(current_actor().id, parse_id(raw_id))
    return jsonify({})


def explained(row: models.Suggestion) -> dict[str, Any]:
    return {
        "account": account_entity(runtime(), row.account),
        "score": row.score,
        "sources": list(row.sources or []),
        "reasons": list(row.reasons or []),
    }


@blueprint.get("/api/fedihub/v1/suggestions")
@require_scope("read:accounts")
async def explained_suggestions() -> Response:
    return jsonify([explained(row) for row in await _stored()])


@blueprint.get("/api/fedihub/v1/suggestions/articles")
@require_scope("read:statuses")
async def article_suggestions() -> Response:
    """What to read, best first, with the reasons; each still one the viewer may read."""
    p = await params()
    limit = p.int("limit", 20, low=1, high=40, clamp=True) or 20
    viewer = current_actor()
    rows = await reading.stored(viewer.id, limit=limit)
    by_id = await models.Article.in_bulk([r.article_id for r in rows], "id")
    readable = {
        a.id
        for a in await knowledge_search.visible(
            viewer, [by_id[r.article_id] for r in rows if r.article_id in by_id]
        )
    }
    kept = [r for r in rows if r.article_id in readable]
    entities = await article_entities(runtime(), [by_id[r.article_id] for r in kept])
    return jsonify(
        [
            {"article": entity, "score": row.score, "reasons": list(row.reasons or [])}
            for row, entity in zip(kept, entities, strict=True)
        ]
    )
