"""Users' filters (Mastodon's filters v2): a filter has a title, the contexts it applies in
(home, notifications, public, thread, account), an action (warn or hide), an optional expiry, and
keywords (whole word or not) and statuses. `for_viewer` reads a viewer's live filters once per
request and compiles their keywords into one pattern each; `match` tells which of them a
status's text or id meets.

Bounds: MAX_FILTERS filters a user, MAX_KEYWORDS keywords and MAX_STATUSES statuses a filter.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from fedihub import models
from fedihub.errors import Invalid, NotFound
from fedihub.models import FilterAction

CONTEXTS = ("home", "notifications", "public", "thread", "account")
MAX_FILTERS = 100
MAX_KEYWORDS = 100
MAX_STATUSES = 500
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Compiled:
    filter: models.Filter
    keywords: list[models.FilterKeyword]
    status_ids: frozenset[int]
    pattern: re.Pattern[str] | None = field(default=None)


def _pattern(keywords: list[models.FilterKeyword]) -> re.Pattern[str] | None:
    parts = []
    for keyword in keywords:
        text = re.escape(keyword.keyword)
        # Mastodon's whole-word rule: a boundary where the keyword starts or ends with a word
        # character
        if keyword.whole_word:
            text = (r"\b" if keyword.keyword[:1].isalnum() else "") + text
            text += r"\b" if keyword.keyword[-1:].isalnum() else ""
        parts.append(f"(?P<k{keyword.id}>{text})")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _live() -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=datetime.now(UTC))


async def for_viewer(viewer_id: int, context: str) -> list[Compiled]:
    """The viewer's unexpired filters that apply in `context`."""
    rows = [
        f
        for f in await models.Filter.filter(_live(), actor_id=viewer_id)
        if context in (f.context or [])
    ]
    if not rows:
        return []
    ids = [f.id for f in rows]
    keywords = await models.FilterKeyword.filter(parent_id__in=ids).order_by("id")
    statuses = await models.FilterStatus.filter(parent_id__in=ids).values_list(
        "parent_id", "status_id"
    )
    out = []
    for row in rows:
        mine = [k for k in keywords if k.parent_id == row.id]
        sids = frozenset(int(s) for f, s in statuses if f == row.id)
        out.append(Compiled(row, mine, sids, _pattern(mine)))
    return out


def plain_text(content_html: str, spoiler: str = "") -> str:
    """What keywords are matched against: the text of the content and the content warning."""
    return html.unescape(_TAGS.sub(" ", f"{spoiler} {content_html}"))


def match(compiled: Compiled, status_id: int, text: str) -> tuple[list[str], list[str]] | None:
    """(keywords matched, status ids matched) when the filter applies; None when it does not."""
    words: list[str] = []
    if compiled.pattern is not None:
        found = {m.lastgroup for m in compiled.pattern.finditer(text)}
        words = [k.keyword for k in compiled.keywords if f"k{k.id}" in found]
    ids = [str(status_id)] if status_id in compiled.status_ids else []
    return (words, ids) if words or ids else None


# ---- changing filters ---------------------------------------------------------------------------


def _contexts(raw: list[str]) -> list[str]:
    values = [str(c) for c in raw]
    if not values or any(c not in CONTEXTS for c in values):
        raise Invalid(f"context must be some of {', '.join(CONTEXTS)}", field="context")
    return sorted(set(values), key=CONTEXTS.index)


def _action(raw: str | None) -> FilterAction:
    try:
        return FilterAction(raw or "warn")
    except ValueError:
        raise Invalid("filter_action must be warn or hide", field="filter_action") from None


def _expiry(expires_in: int | None) -> datetime | None:
    return None if not expires_in else datetime.now(UTC) + timedelta(seconds=expires_in)


async def own(viewer_id: int, filter_id: int) -> models.Filter:
    row = await models.Filter.get_or_none(id=filter_id, actor_id=viewer_id)
    if row is None:
        raise NotFound("Record not found")
    return row


async def create(
    viewer_id: int,
    *,
    title: str,
    context: list[str],
    action: str | None,
    expires_in: int | None,
    keywords: list[tuple[str, bool]],
) -> models.Filter:
    if not title.strip():
        raise Invalid("title can't be blank", field="title")
    if await models.Filter.filter(actor_id=viewer_id).count() >= MAX_FILTERS:
        raise Invalid(f"at most {MAX_FILTERS} filters", field="title")
    row = await models.Filter.create(
        actor_id=viewer_id,
        title=title[:255],
        context=_contexts(context),
        action=_action(action),
        expires_at=_expiry(expires_in),
    )
    for keyword, whole_word in keywords:
        await add_keyword(row, keyword, whole_word)
    return row


async def update(
    row: models.Filter,
    *,
    title: str | None,
    context: list[str] | None,
    action: str | None,
    expires_in: int | None,
    clear_expiry: bool,
) -> None:
    if title is not None:
        if not title.strip():
            raise Invalid("title can't be blank", field="title")
        row.title = title[:255]
    if context:
        row.context = _contexts(context)
    if action is not None:
        row.action = _action(action)
    if expires_in:
        row.expires_at = _expiry(expires_in)
    elif clear_expiry:
        row.expires_at = None
    await row.save()


async def add_keyword(row: models.Filter, keyword: str, whole_word: bool) -> models.FilterKeyword:
    if not keyword.strip():
        raise Invalid("keyword can't be blank", field="keyword")
    if await models.FilterKeyword.filter(parent_id=row.id).count() >= MAX_KEYWORDS:
        raise Invalid(f"at most {MAX_KEYWORDS} keywords a filter", field="keyword")
    return await models.FilterKeyword.create(
        parent_id=row.id, keyword=keyword.strip()[:255], whole_word=whole_word
    )


async def add_status(row: models.Filter, status_id: int) -> models.FilterStatus:
    if not await models.Status.filter(id=status_id).exists():
        raise NotFound("Record not found")
    if await models.FilterStatus.filter(parent_id=row.id).count() >= MAX_STATUSES:
        raise Invalid(f"at most {MAX_STATUSES} statuses a filter", field="status_id")
    found, _ = await models.FilterStatus.get_or_create(parent_id=row.id, status_id=status_id)
    return found


async def own_keyword(viewer_id: int, keyword_id: int) -> models.FilterKeyword:
    row = await models.FilterKeyword.get_or_none(id=keyword_id, parent__actor_id=viewer_id)
    if row is None:
        raise NotFound("Record not found")
    return row


async def own_status(viewer_id: int, row_id: int) -> models.FilterStatus:
    row = await models.FilterStatus.get_or_none(id=row_id, parent__actor_id=viewer_id)
    if row is None:
        raise NotFound("Record not found")
    return row


__all__ = [
    "CONTEXTS",
    "Compiled",
    "add_keyword",
    "add_status",
    "create",
    "for_viewer",
    "match",
    "own",
    "own_keyword",
    "own_status",
    "plain_text",
    "update",
]
