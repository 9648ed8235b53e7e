"""Mastodon's id-cursor pagination: max_id / since_id / min_id / limit, and the Link header.

Lists are newest first. `max_id` pages back (older), `since_id` bounds from below while still
answering the newest, `min_id` pages forward from an id (the oldest just after it, answered newest
first). The Link header carries rel="next" (max_id of the last item) and rel="prev" (min_id of the
first), with the request's other parameters kept, as Mastodon's `pagination_params` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from quart import Response, jsonify, request
from tortoise.models import Model
from tortoise.queryset import QuerySet

from fedihub.api.common import MAX_ID, Params, digits, invalid
from fedihub.web.common import runtime

_CURSORS = ("max_id", "since_id", "min_id")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page:
    max_id: int | None
    since_id: int | None
    min_id: int | None
    limit: int


def _cursor(p: Params, name: str) -> int | None:
    # Mastodon ignores a cursor it cannot read; so do we (a client bug should not empty the list)
    value = digits(p.str(name) or "")
    if value is not None and value > MAX_ID:
        raise invalid(f"{name} must be at most {MAX_ID}", name)
    return value


def page(p: Params, *, default: int = 40, maximum: int = 80) -> Page:
    limit = p.int("limit", default, low=1, high=maximum, clamp=True) or default
    return Page(_cursor(p, "max_id"), _cursor(p, "since_id"), _cursor(p, "min_id"), limit)


async def fetch(query: QuerySet[M], pg: Page, field: str = "id") -> list[M]:
    """Apply the cursors to `query` on the ordered integer `field`; newest first."""
    if pg.max_id is not None:
        query = query.filter(**{f"{field}__lt": pg.max_id})
    if pg.since_id is not None:
        query = query.filter(**{f"{field}__gt": pg.since_id})
    if pg.min_id is not None:
        rows = await query.filter(**{f"{field}__gt": pg.min_id}).order_by(field).limit(pg.limit)
        return list(reversed(rows))
    return list(await query.order_by(f"-{field}").limit(pg.limit))


def link_header(
    first_id: int | None, last_id: int | None, *, prev_cursor: str = "min_id", has_next: bool = True
) -> str | None:
    """The Link header for a page whose newest item has `first_id` and oldest `last_id`.

    Some Mastodon lists (a list's accounts, followed tags) page back with `since_id` and offer
    rel="next" only while a page is full: `prev_cursor` and `has_next` say so."""
    if first_id is None or last_id is None:
        return None
    base = runtime().urls.base + request.path
    args = request.args.items(multi=True)
    kept: list[tuple[str, Any]] = [(k, v) for k, v in args if k not in _CURSORS]
    links = []
    if has_next:
        links.append(f'<{base}?{urlencode([*kept, ("max_id", str(last_id))])}>; rel="next"')
    links.append(f'<{base}?{urlencode([*kept, (prev_cursor, str(first_id))])}>; rel="prev"')
    return ", ".join(links)


def with_link(
    response: Response,
    rows: Sequence[Any],
    *,
    prev_cursor: str = "min_id",
    full_page: int | None = None,
) -> Response:
    """`response` with the Link header of its page of `rows` (newest first, each with an `id`);
    with `full_page`, rel="next" only when the page holds that many rows."""
    if not rows:
        return response
    has_next = full_page is None or len(rows) == full_page
    link = link_header(rows[0].id, rows[-1].id, prev_cursor=prev_cursor, has_next=has_next)
    if link:
        response.headers["Link"] = link
    return response


def offset_paged(
    body: list[dict[str, Any]], offset: int, limit: int, *, keep_filters: bool = True
) -> Response:
    """`body` with Mastodon's offset Link header: next while a page is full, prev after the first.

    The links keep the request's other parameters (filters, order, limit) unless `keep_filters`
    is False, where only `limit` is kept (as Mastodon does on trends).
    """
    response = jsonify(body)
    base = runtime().urls.base + request.path
    if keep_filters:
        kept = [(k, v) for k, v in request.args.items(multi=True) if k != "offset"]
    else:
        kept = [("limit", v) for v in request.args.getlist("limit")][-1:]
    links = []
    if len(body) == limit:
        links.append(f'<{base}?{urlencode([*kept, ("offset", offset + limit)])}>; rel="next"')
    if offset > 0:
        links.append(
            f'<{base}?{urlencode([*kept, ("offset", max(0, offset - limit))])}>; rel="prev"'
        )
    if links:
        response.headers["Link"] = ", ".join(links)
    return response
