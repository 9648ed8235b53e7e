"""/api/v1/lists (show, create, update, delete, members) and /api/v1/accounts/:id/lists, as
Mastodon's lists controllers answer them; the list timeline is in api/timelines.py.

Scopes read:lists and write:lists (or read / write); someone else's list is "Record not found".
"""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from fedihub import models
from fedihub.api import pagination
from fedihub.api.accounts import load_actor
from fedihub.api.auth import current_actor, require_scope
from fedihub.api.common import Params, id_or_none, params, parse_id
from fedihub.api.entities.account import accounts
from fedihub.api.entities.list import list_entity
from fedihub.social import lists
from fedihub.web.common import runtime

blueprint = Blueprint("api_lists", __name__)
P = "/api/v1/lists"
MEMBERS_DEFAULT, MEMBERS_MAX = 40, 80  # Mastodon's limit_param(DEFAULT_ACCOUNTS_LIMIT)


def _changes(p: Params) -> lists.Changes:
    return lists.Changes(
        title=p.str("title") if p.has("title") else None,
        replies_policy=p.str("replies_policy") or None,
        exclusive=p.bool("exclusive") if p.has("exclusive") else None,
    )


async def _own(raw_id: str) -> models.List:
    return await lists.owned(current_actor(), parse_id(raw_id))


@blueprint.get(P)
@require_scope("read:lists")
async def index() -> Response:
    return jsonify([list_entity(row) for row in await lists.of_owner(current_actor())])


@blueprint.post(P)
@require_scope("write:lists")
async def create() -> Response:
    made = await lists.create(current_actor(), _changes(await params()))
    return jsonify(list_entity(made))


@blueprint.get(f"{P}/<raw_id>")
@require_scope("read:lists")
async def show(raw_id: str) -> Response:
    return jsonify(list_entity(await _own(raw_id)))


@blueprint.put(f"{P}/<raw_id>")
@require_scope("write:lists")
async def update(raw_id: str) -> Response:
    row = await _own(raw_id)
    return jsonify(list_entity(await lists.update(row, _changes(await params()))))


@blueprint.delete(f"{P}/<raw_id>")
@require_scope("write:lists")
async def destroy(raw_id: str) -> Response:
    await lists.delete(await _own(raw_id))
    return jsonify({})


@blueprint.get(f"{P}/<raw_id>/accounts")
@require_scope("read:lists")
async def members(raw_id: str) -> Response:
    row = await _own(raw_id)
    p = await params()
    query = lists.members(row)
    if p.str("limit") == "0":  # Mastodon: every member, unpaged
        found = list(await query.order_by("-id"))
        return jsonify(accounts(runtime(), found))
    pg = pagination.page(p, default=MEMBERS_DEFAULT, maximum=MEMBERS_MAX)
    found = await pagination.fetch(query, pg)
    response = jsonify(accounts(runtime(), found))
    return pagination.with_link(response, found, prev_cursor="since_id", full_page=pg.limit)


def _account_ids(p: Params) -> list[int]:
    # an id that names no account is "Record not found" (Account.find on Mastodon)
    return [parse_id(value) for value in p.list("account_ids")]


@blueprint.post(f"{P}/<raw_id>/accounts")
@require_scope("write:lists")
async def add_members(raw_id: str) -> Response:
    row = await _own(raw_id)
    await lists.add(row, _account_ids(await params()))
    return jsonify({})


@blueprint.delete(f"{P}/<raw_id>/accounts")
@require_scope("write:lists")
async def remove_members(raw_id: str) -> Response:
    row = await _own(raw_id)
    # no lookup of the accounts here: removing one that is not a member changes nothing
    wanted = map(id_or_none, (await params()).list("account_ids"))
    await lists.remove(row, [value for value in wanted if value is not None])
    return jsonify({})


@blueprint.get("/api/v1/accounts/<raw_id>/lists")
@require_scope("read:lists")
async def account_lists(raw_id: str) -> Response:
    member = await load_actor(raw_id)
    return jsonify([list_entity(row) for row in await lists.containing(current_actor(), member.id)])
