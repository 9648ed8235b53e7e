"""/api/v1/statuses: post (now, or later with `scheduled_at`), read, edit, delete, context,
favourite, boost, bookmark, pin, who did."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from quart import Blueprint, Response, jsonify, request

from fedihub import models
from fedihub.api import filters, pagination
from fedihub.api.auth import (
    current_actor,
    current_token,
    current_user,
    optional_user,
    require_scope,
    scope_if_token,
)
from fedihub.api.common import Params, digits, invalid, not_found, params, parse_id, to_bool
from fedihub.api.entities.account import accounts
from fedihub.api.entities.common import iso
from fedihub.api.entities.scheduled_status import scheduled_status
from fedihub.api.entities.status import status as status_entity
from fedihub.api.entities.status import statuses as status_entities
from fedihub.errors import Invalid
from fedihub.models import Visibility
from fedihub.social import interactions, pins, poll_rows, scheduled, statuses, threads
from fedihub.web.common import runtime

blueprint = Blueprint("api_statuses", __name__)
P = "/api/v1/statuses"


async def visible_status(raw_id: str, viewer: models.Actor | None) -> models.Status:
    return await threads.visible_status(parse_id(raw_id), viewer)


def _visibility(value: str | None, default: Visibility) -> Visibility:
    if not value:
        return default
    try:
        return Visibility(value)
    except ValueError:
        raise invalid(
            f"visibility must be public, unlisted, private, direct or institution, not {value!r}",
            "visibility",
        ) from None


def _poll(p: Params) -> poll_rows.PollDraft | None:
    """`poll` as JSON ({"poll": {"options": [...]}}) or form fields (poll[options][]=...)."""
    fields = p.hash("poll")
    options = fields.get("options")
    raw_options = options if isinstance(options, list) else p.list("poll[options]")
    if not fields and not raw_options:
        return None
    expires = fields.get("expires_in", p.raw("poll[expires_in]"))
    seconds = digits(expires) if expires not in (None, "") else None
    if expires not in (None, "") and seconds is None:
        raise invalid("poll[expires_in] must be a whole number", "poll")
    return poll_rows.PollDraft(
        options=poll_rows.clean_options(raw_options),
        expires_in=seconds,
        multiple=bool(to_bool(fields.get("multiple"), False)),
        hide_totals=bool(to_bool(fields.get("hide_totals"), False)),
    )


@blueprint.post(P)
@require_scope("write:statuses")
async def create() -> Response:
    p = await params()
    reply_to = p.str("in_reply_to_id")
    user = current_user()
    draft = statuses.Draft(
        text_source=p.str("status", "") or "",
        visibility_level=_visibility(p.str("visibility"), Visibility.PUBLIC),
        spoiler_text=p.str("spoiler_text", "") or "",
        sensitive=bool(p.bool("sensitive", False)),
        language=p.str("language"),
        in_reply_to_id=parse_id(reply_to) if reply_to else None,
        media_ids=tuple(parse_id(v) for v in p.list("media_ids")),
        idempotency_key=request.headers.get("Idempotency-Key") or None,
        poll=_poll(p),
    )
    try:
        at = scheduled.parse_time(p.str("scheduled_at"))
        # Mastodon posts at once when the time has passed already
        if at is not None and at > datetime.now(UTC):
            token = current_token()
            app_id = token.app_id if token else None
            later = await scheduled.schedule(user, at, draft, application_id=app_id)
            return jsonify(await scheduled_status(runtime(), later))
        status = await statuses.create(runtime(), user, draft)
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    return jsonify(await status_entity(runtime(), status, user.actor))


@blueprint.get(f"{P}/<raw_id>")
@scope_if_token("read:statuses")
async def show(raw_id: str) -> Response:
    user = await optional_user()
    viewer = user.actor if user else None
    status = await visible_status(raw_id, viewer)
    return jsonify(await status_entity(runtime(), status, viewer))


@blueprint.delete(f"{P}/<raw_id>")
@require_scope("write:statuses")
async def destroy(raw_id: str) -> Response:
    user = current_user()
    mine = await models.Status.get_or_none(
        id=parse_id(raw_id), actor_id=user.actor_id, deleted_at__isnull=True
    )
    # rendered while it still stands (a deleted status is nobody's to see); a boost of what its
    # booster may no longer read is answered by its id alone
    shown = await status_entities(runtime(), [mine], user.actor) if mine is not None else []
    body: dict[str, Any] = shown[0] if shown else {"id": raw_id}
    status = await statuses.delete(runtime(), user, parse_id(raw_id))
    body["text"] = status.source or ""  # Mastodon answers with the source, for "delete and redraft"
    return jsonify(body)


@blueprint.put(f"{P}/<raw_id>")
@require_scope("write:statuses")
async def edit(raw_id: str) -> Response:
    p = await params()
    user = current_user()
    try:
        status = await statuses.edit(
            runtime(),
            user,
            parse_id(raw_id),
            text_source=p.str("status", "") or "",
            spoiler_text=p.str("spoiler_text", "") or "",
            sensitive=bool(p.bool("sensitive", False)),
            language=p.str("language"),
            poll=_poll(p),
        )
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    return jsonify(await status_entity(runtime(), status, user.actor))


@blueprint.get(f"{P}/<raw_id>/source")
@require_scope("read:statuses")
async def source(raw_id: str) -> Response:
    status = await visible_status(raw_id, current_actor())
    if status.actor_id != current_actor().id:
        raise not_found()
    return jsonify(
        {"id": str(status.id), "text": status.source or "", "spoiler_text": status.summary}
    )


@blueprint.get(f"{P}/<raw_id>/history")
@scope_if_token("read:statuses")
async def history(raw_id: str) -> Response:
    user = await optional_user()
    viewer = user.actor if user else None
    status = await visible_status(raw_id, viewer)
    entity = await status_entity(runtime(), status, viewer)
    edits = await models.StatusEdit.filter(status_id=status.id).order_by("created_at", "id")
    if not edits:
        edits = [
            models.StatusEdit(
                content=status.content,
                summary=status.summary,
                sensitive=status.sensitive,
                created_at=status.published,
            )
        ]
    # a poll's options as they stand (an edit of a poll's options starts the poll over)
    poll = entity["poll"]
    poll_options = {"options": [{"title": o["title"]} for o in poll["options"]]} if poll else None
    return jsonify(
        [
            {
                "content": e.content,
                "spoiler_text": e.summary,
                "sensitive": e.sensitive,
                "created_at": entity["created_at"] if e.created_at is None else _iso(e.created_at),
                "account": entity["account"],
                "poll": poll_options,
                "media_attachments": entity["media_attachments"],
                "emojis": [],
            }
            for e in edits
        ]
    )


def _iso(value: object) -> str | None:
    return iso(value)  # type: ignore[arg-type]


@blueprint.get(f"{P}/<raw_id>/context")
@scope_if_token("read:statuses")
async def context(raw_id: str) -> Response:
    user = await optional_user()
    viewer = user.actor if user else None
    status = await visible_status(raw_id, viewer)
    thread = await threads.context(status, viewer)
    rt = runtime()
    return jsonify(
        {
            "ancestors": await filters.apply(
                viewer, "thread", await status_entities(rt, thread.ancestors, viewer)
            ),
            "descendants": await filters.apply(
                viewer, "thread", await status_entities(rt, thread.descendants, viewer)
            ),
        }
    )


async def _answer(status: models.Status) -> Response:
    return jsonify(await status_entity(runtime(), status, current_actor()))


@blueprint.post(f"{P}/<raw_id>/favourite")
@require_scope("write:favourites")
async def favourite(raw_id: str) -> Response:
    return await _answer(await interactions.favourite(runtime(), current_actor(), parse_id(raw_id)))


@blueprint.post(f"{P}/<raw_id>/unfavourite")
@require_scope("write:favourites")
async def unfavourite(raw_id: str) -> Response:
    return await _answer(
        await interactions.unfavourite(runtime(), current_actor(), parse_id(raw_id))
    )


@blueprint.post(f"{P}/<raw_id>/reblog")
@require_scope("write:statuses")
async def reblog(raw_id: str) -> Response:
    p = await params()
    requested = p.str("visibility")
    try:
        boost = await interactions.reblog(
            runtime(),
            current_actor(),
            parse_id(raw_id),
            _visibility(requested, Visibility.PUBLIC) if requested else None,
        )
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    return await _answer(boost)


@blueprint.post(f"{P}/<raw_id>/unreblog")
@require_scope("write:statuses")
async def unreblog(raw_id: str) -> Response:
    return await _answer(await interactions.unreblog(runtime(), current_actor(), parse_id(raw_id)))


@blueprint.post(f"{P}/<raw_id>/bookmark")
@require_scope("write:bookmarks")
async def bookmark(raw_id: str) -> Response:
    return await _answer(await interactions.bookmark(current_actor(), parse_id(raw_id)))


@blueprint.post(f"{P}/<raw_id>/unbookmark")
@require_scope("write:bookmarks")
async def unbookmark(raw_id: str) -> Response:
    return await _answer(await interactions.unbookmark(current_actor(), parse_id(raw_id)))


@blueprint.post(f"{P}/<raw_id>/pin")
@require_scope("write:accounts")
async def pin(raw_id: str) -> Response:
    try:
        status = await pins.pin(runtime(), current_actor(), parse_id(raw_id))
    except Invalid as exc:
        raise invalid(exc.public, exc.field) from None
    return await _answer(status)


@blueprint.post(f"{P}/<raw_id>/unpin")
@require_scope("write:accounts")
async def unpin(raw_id: str) -> Response:
    return await _answer(await pins.unpin(runtime(), current_actor(), parse_id(raw_id)))


async def _who(raw_id: str, query_for: str) -> Response:
    user = await optional_user()
    viewer = user.actor if user else None
    status = await visible_status(raw_id, viewer)
    pg = pagination.page(await params())
    rows: list[models.Favourite] | list[models.Status]
    if query_for == "favourites":
        rows = await pagination.fetch(interactions.favourited_by(status, viewer), pg)
    else:
        rows = await pagination.fetch(interactions.reblogged_by(status, viewer), pg)
    ids = [r.actor_id for r in rows]
    by_id = {a.id: a for a in await models.Actor.filter(id__in=ids)}
    response = jsonify(accounts(runtime(), [by_id[i] for i in ids if i in by_id]))
    link = pagination.link_header(rows[0].id if rows else None, rows[-1].id if rows else None)
    if link:
        response.headers["Link"] = link
    return response


@blueprint.get(f"{P}/<raw_id>/favourited_by")
@scope_if_token("read:accounts")
async def favourited_by(raw_id: str) -> Response:
    return await _who(raw_id, "favourites")


@blueprint.get(f"{P}/<raw_id>/reblogged_by")
@scope_if_token("read:accounts")
async def reblogged_by(raw_id: str) -> Response:
    return await _who(raw_id, "reblogs")
