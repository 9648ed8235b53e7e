"""What the node's pages share: the reader, sign-in redirects, paging by `?max_id=`, statuses
and accounts presented from the same entities the Mastodon API answers (api/entities, which
decide visibility in bulk), and the redirect back after a form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlencode

from quart import redirect, request
from tortoise.models import Model
from tortoise.queryset import QuerySet
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.api.entities.account import account, acct
from fedihub.api.entities.status import statuses as status_entities
from fedihub.errors import Unauthorized
from fedihub.web.auth import safe_next, viewer
from fedihub.web.common import runtime

Redirect = WerkzeugResponse  # what quart.redirect() makes
PAGE_SIZE = 20
M = TypeVar("M", bound=Model)


class SignInNeeded(Unauthorized):
    """Raised by a members' page for a visitor; app.py answers it with the sign-in page."""


async def signed_in() -> models.User:
    """The signed-in user; SignInNeeded (a redirect to the sign-in page) for a visitor."""
    user = await viewer()
    if user is None:
        raise SignInNeeded("sign in to see this page")
    return user


async def reader() -> models.Actor | None:
    user = await viewer()
    return user.actor if user is not None else None


def to_sign_in() -> Redirect:
    return redirect(f"/auth/sign_in?next={quote(request.full_path.rstrip('?'))}")


async def back(default: str = "/") -> Redirect:
    """303 to the form's `next` (a local path only), else `default`."""
    form = await request.form
    return redirect(safe_next(form.get("next") or default), 303)


@dataclass(frozen=True)
class Paged(Generic[M]):
    rows: list[M]
    next_url: str | None  # older entries
    newer_url: str | None  # back to the newest


def _cursor() -> int | None:
    raw = request.args.get("max_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 20 else None


def _with(**values: str | None) -> str:
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in values]
    kept += [(k, v) for k, v in values.items() if v is not None]
    query = urlencode(kept)
    return f"{request.path}?{query}" if query else request.path


def cursor() -> int | None:
    """The `?max_id=` of a page that pages by something other than a query (conversations)."""
    return _cursor()


def paged_by_hand(rows: list[Any], more: bool, last_id: int | None) -> Paged[Any]:
    """A Paged of rows read by the caller: `more` when older ones exist, from `last_id` down."""
    next_url = _with(max_id=str(last_id)) if more and last_id is not None else None
    newer_url = _with(max_id=None) if _cursor() is not None else None
    return Paged(rows, next_url, newer_url)


async def page(query: QuerySet[M], *, size: int = PAGE_SIZE, field: str = "id") -> Paged[M]:
    """One page of `query`, newest first, older ones behind `?max_id=` (one row read ahead
    tells whether there are more)."""
    cursor = _cursor()
    if cursor is not None:
        query = query.filter(**{f"{field}__lt": cursor})
    rows = list(await query.order_by(f"-{field}").limit(size + 1))
    more = len(rows) > size
    rows = rows[:size]
    next_url = _with(max_id=str(getattr(rows[-1], field))) if more and rows else None
    newer_url = _with(max_id=None) if cursor is not None else None
    return Paged(rows, next_url, newer_url)


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def present_account(entity: dict[str, Any]) -> dict[str, Any]:
    entity["page_url"] = f"/@{entity['acct']}"
    return entity


def present_status(entity: dict[str, Any]) -> dict[str, Any]:
    entity["page_url"] = f"/web/statuses/{entity['id']}"
    entity["published_at"] = _when(entity["created_at"])
    present_account(entity["account"])
    if entity.get("reblog"):
        present_status(entity["reblog"])
    return entity


async def statuses(
    items: Sequence[models.Status], who: models.Actor | None
) -> list[dict[str, Any]]:
    """The statuses of `items` that `who` may see, as the pages show them (boosts with their
    original, the reader's own favourites, boosts and bookmarks marked)."""
    return [present_status(e) for e in await status_entities(runtime(), list(items), who)]


def accounts(actors: Sequence[models.Actor]) -> list[dict[str, Any]]:
    rt = runtime()
    return [present_account(account(rt, a)) for a in actors]


def handle(actor: models.Actor) -> str:
    """@user@domain, with this node's domain for local accounts."""
    return f"@{acct(actor)}" if actor.domain else f"@{actor.username}@{runtime().urls.domain}"
