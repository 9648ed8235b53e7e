"""/api/v2/filters: users' filters as Mastodon 4 has them (filters, their keywords and statuses),
and `apply`, which the timelines use to fill each status's `filtered` and leave out what a
`hide` filter catches."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import Params, params, parse_id
from fedihub.api.entities.common import iso
from fedihub.models import FilterAction
from fedihub.moderation import filters

blueprint = Blueprint("api_filters", __name__)


def keyword_entity(row: models.FilterKeyword) -> dict[str, Any]:
    return {"id": str(row.id), "keyword": row.keyword, "whole_word": row.whole_word}


def status_entity(row: models.FilterStatus) -> dict[str, Any]:
    return {"id": str(row.id), "status_id": str(row.status_id)}


async def entity(row: models.Filter) -> dict[str, Any]:
    """Mastodon's Filter."""
    keywords = await models.FilterKeyword.filter(parent_id=row.id).order_by("id")
    statuses = await models.FilterStatus.filter(parent_id=row.id).order_by("id")
    return _entity(row, keywords, statuses)


def _entity(
    row: models.Filter, keywords: list[models.FilterKeyword], statuses: list[models.FilterStatus]
) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "title": row.title,
        "context": list(row.context),
        "expires_at": iso(row.expires_at),
        "filter_action": row.action.value,
        "keywords": [keyword_entity(k) for k in keywords],
        "statuses": [status_entity(s) for s in statuses],
    }


# ---- applying filters to rendered statuses -----------------------------------------------------


async def apply(
    viewer: models.Actor | None, context: str, rendered: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Fill `filtered` on each status entity (and its reblog) with the viewer's matching filters
    in `context`; statuses a `hide` filter matches are left out."""
    if viewer is None or not rendered:
        return rendered
    return apply_compiled(await filters.for_viewer(viewer.id, context), rendered)


def apply_compiled(
    compiled: list[filters.Compiled], rendered: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`apply` with the viewer's filters of the context already read (streams keep them)."""
    if not compiled:
        return rendered
    kept = []
    for body in rendered:
        shown = body["reblog"] or body
        text = filters.plain_text(shown["content"], shown["spoiler_text"])
        results = []
        hidden = False
        for one in compiled:
            found = filters.match(one, int(shown["id"]), text)
            if found is None:
                continue
            hidden = hidden or one.filter.action is FilterAction.HIDE
            results.append(
                {
                    "filter": _entity(one.filter, one.keywords, []),
                    "keyword_matches": found[0] or None,
                    "status_matches": found[1] or None,
                }
            )
        if hidden:
            continue
        body["filtered"] = results
        if body["reblog"]:
            body["reblog"]["filtered"] = results
        kept.append(body)
    return kept


# ---- filters -----------------------------------------------------------------------------------


def _keyword_rows(p: Params) -> list[dict[str, Any]]:
    return p.rows("keywords_attributes") or []


@blueprint.get("/api/v2/filters")
@require_scope("read:filters")
async def list_filters() -> Response:
    rows = await models.Filter.filter(actor_id=current_actor().id).order_by("id")
    return jsonify([await entity(r) for r in rows])


@blueprint.get("/api/v2/filters/<raw_id>")
@require_scope("read:filters")
async def show(raw_id: str) -> Response:
    return jsonify(await entity(await filters.own(current_actor().id, parse_id(raw_id))))


@blueprint.post("/api/v2/filters")
@require_scope("write:filters")
async def create() -> Response:
    p = await params()
    keywords = [
        (str(k.get("keyword") or ""), _truthy(k.get("whole_word"), True)) for k in _keyword_rows(p)
    ]
    row = await filters.create(
        current_actor().id,
        title=p.str("title") or "",
        context=p.list("context"),
        action=p.str("filter_action"),
        expires_in=p.int("expires_in", None, low=1, high=10**9),
        keywords=keywords,
    )
    return jsonify(await entity(row))


def _truthy(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    return str(value).lower() in ("true", "1", "on", "yes")


@blueprint.put("/api/v2/filters/<raw_id>")
@require_scope("write:filters")
async def update(raw_id: str) -> Response:
    row = await filters.own(current_actor().id, parse_id(raw_id))
    p = await params()
    await filters.update(
        row,
        title=p.str("title"),
        context=p.list("context") or None,
        action=p.str("filter_action"),
        expires_in=p.int("expires_in", None, low=1, high=10**9),
        clear_expiry=p.has("expires_in") and not p.str("expires_in"),
    )
    for item in _keyword_rows(p):
        if item.get("id"):
            keyword = await filters.own_keyword(current_actor().id, parse_id(item["id"]))
            if _truthy(item.get("_destroy"), False):
                await keyword.delete()
                continue
            keyword.keyword = str(item.get("keyword") or keyword.keyword)[:255]
            keyword.whole_word = _truthy(item.get("whole_word"), keyword.whole_word)
            await keyword.save()
        else:
            await filters.add_keyword(
                row, str(item.get("keyword") or ""), _truthy(item.get("whole_word"), True)
            )
    return jsonify(await entity(row))


@blueprint.delete("/api/v2/filters/<raw_id>")
@require_scope("write:filters")
async def delete(raw_id: str) -> Response:
    row = await filters.own(current_actor().id, parse_id(raw_id))
    await row.delete()
    return jsonify({})


# ---- keywords ----------------------------------------------------------------------------------


@blueprint.get("/api/v2/filters/<raw_id>/keywords")
@require_scope("read:filters")
async def keywords(raw_id: str) -> Response:
    row = await filters.own(current_actor().id, parse_id(raw_id))
    rows = await models.FilterKeyword.filter(parent_id=row.id).order_by("id")
    return jsonify([keyword_entity(k) for k in rows])


@blueprint.post("/api/v2/filters/<raw_id>/keywords")
@require_scope("write:filters")
async def add_keyword(raw_id: str) -> Response:
    row = await filters.own(current_actor().id, parse_id(raw_id))
    p = await params()
    made = await filters.add_keyword(
        row, p.str("keyword") or "", _truthy(p.str("whole_word"), True)
    )
    return jsonify(keyword_entity(made))


@blueprint.get("/api/v2/filters/keywords/<raw_id>")
@require_scope("read:filters")
async def show_keyword(raw_id: str) -> Response:
    return jsonify(keyword_entity(await filters.own_keyword(current_actor().id, parse_id(raw_id))))


@blueprint.put("/api/v2/filters/keywords/<raw_id>")
@require_scope("write:filters")
async def update_keyword(raw_id: str) -> Response:
    keyword = await filters.own_keyword(current_actor().id, parse_id(raw_id))
    p = await params()
    if p.str("keyword"):
        keyword.keyword = (p.str("keyword") or "").strip()[:255]
    if p.has("whole_word"):
        keyword.whole_word = _truthy(p.str("whole_word"), keyword.whole_word)
    await keyword.save()
    return jsonify(keyword_entity(keyword))


@blueprint.delete("/api/v2/filters/keywords/<raw_id>")
@require_scope("write:filters")
async def delete_keyword(raw_id: str) -> Response:
    await (await filters.own_keyword(current_actor().id, parse_id(raw_id))).delete()
    return jsonify({})


# ---- statuses ----------------------------------------------------------------------------------


@blueprint.get("/api/v2/filters/<raw_id>/statuses")
@require_scope("read:filters")
async def statuses(raw_id: str) -> Response:
    row = await filters.own(current_actor().id, parse_id(raw_id))
    rows = await models.FilterStatus.filter(parent_id=row.id).order_by("id")
    return jsonify([status_entity(s) for s in rows])


@blueprint.post("/api/v2/filters/<raw_id>/statuses")
@require_scope("write:filters")
async def add_status(raw_id: str) -> Response:
    row = await filters.own(current_actor().id, parse_id(raw_id))
    made = await filters.add_status(row, parse_id((await params()).str("status_id")))
    return jsonify(status_entity(made))


@blueprint.get("/api/v2/filters/statuses/<raw_id>")
@require_scope("read:filters")
async def show_status(raw_id: str) -> Response:
    return jsonify(status_entity(await filters.own_status(current_actor().id, parse_id(raw_id))))


@blueprint.delete("/api/v2/filters/statuses/<raw_id>")
@require_scope("write:filters")
async def delete_status(raw_id: str) -> Response:
    await (await filters.own_status(current_actor().id, parse_id(raw_id))).delete()
    return jsonify({})
