"""A local actor's public collections as ActivityStreams: outbox, followers, following, featured.

Shaped as Mastodon serves them: the collection answers `totalItems` and a `first` link; pages are
OrderedCollectionPages of PAGE_SIZE items, newest first, paged by keyset on the row id
(`?page=true&max_id=…` older, `&min_id=…` newer), so a page costs the same however deep it is.
What a requester may see in the outbox follows social/visibility.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from tortoise.models import Model
from tortoise.queryset import QuerySet

from fedihub import models
from fedihub.activitypub.vocabulary import AS_CONTEXT, NOTE_CONTEXT
from fedihub.models import FollowState, Visibility
from fedihub.runtime import Runtime
from fedihub.social import documents, pins

PAGE_SIZE = 20
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class PageRequest:
    """Which page: None for the collection itself; else older than max_id / newer than min_id."""

    max_id: int | None = None
    min_id: int | None = None


def page_url(url: str, *, max_id: int | None = None, min_id: int | None = None) -> str:
    params: dict[str, str | int] = {"page": "true"}
    if max_id is not None:
        params["max_id"] = max_id
    if min_id is not None:
        params["min_id"] = min_id
    return f"{url}?{urlencode(params)}"


async def _keyset(qs: QuerySet[M], page: PageRequest) -> tuple[list[M], bool]:
    """One page of rows, newest first, and whether more lie beyond it in the paging direction."""
    if page.min_id is not None:
        rows = await qs.filter(id__gt=page.min_id).order_by("id").limit(PAGE_SIZE + 1)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        rows.reverse()
        return rows, more
    if page.max_id is not None:
        qs = qs.filter(id__lt=page.max_id)
    rows = await qs.order_by("-id").limit(PAGE_SIZE + 1)
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _collection(url: str, total: int, context: Any) -> dict[str, Any]:
    return {
        "@context": context,
        "id": url,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": page_url(url),
        "last": page_url(url, min_id=0),
    }


def _page(
    url: str,
    page: PageRequest,
    ids: Sequence[int],
    items: list[Any],
    more: bool,
    total: int,
    context: Any,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": context,
        "id": page_url(url, max_id=page.max_id, min_id=page.min_id),
        "type": "OrderedCollectionPage",
        "totalItems": total,
        "partOf": url,
        "orderedItems": items,
    }
    newer_exist = more if page.min_id is not None else page.max_id is not None
    older_exist = more if page.min_id is None else True
    if ids and older_exist:
        document["next"] = page_url(url, max_id=ids[-1])
    if ids and newer_exist:
        document["prev"] = page_url(url, min_id=ids[0])
    return document


async def _outbox_visibilities(actor: models.Actor, requester: models.Actor | None) -> list[str]:
    """Public and unlisted for everyone; followers-only too for the author and accepted followers.
    Direct and institution statuses are never listed."""
    shown = [Visibility.PUBLIC.value, Visibility.UNLISTED.value]
    if requester is not None and (
        requester.id == actor.id
        or await models.Follow.filter(
            follower_id=requester.id, target_id=actor.id, state=FollowState.ACCEPTED
        ).exists()
    ):
        shown.append(Visibility.PRIVATE.value)
    return shown


async def outbox(
    rt: Runtime, actor: models.Actor, requester: models.Actor | None, page: PageRequest | None
) -> dict[str, Any]:
    """The outbox: the Create of each status `requester` may see, newest first."""
    url = actor.outbox or rt.urls.outbox(actor.username)
    qs = models.Status.filter(
        actor_id=actor.id,
        local=True,
        deleted_at__isnull=True,
        reblog_of_id__isnull=True,
        visibility__in=await _outbox_visibilities(actor, requester),
    )
    total = await qs.count()
    if page is None:
        return _collection(url, total, AS_CONTEXT)
    statuses, more = await _keyset(qs, page)
    notes = await documents.note_documents(rt, statuses, with_context=False)
    items = [
        documents.create_document(rt, status, note, with_context=False)
        for status, note in zip(statuses, notes, strict=True)
    ]
    ids = [s.id for s in statuses]
    return _page(url, page, ids, items, more, total, NOTE_CONTEXT)


async def _follow_collection(
    url: str, qs: QuerySet[models.Follow], other: str, page: PageRequest | None
) -> dict[str, Any]:
    total = await qs.count()
    if page is None:
        return _collection(url, total, AS_CONTEXT)
    follows, more = await _keyset(qs.select_related(other), page)
    items = [getattr(f, other).uri for f in follows]
    return _page(url, page, [f.id for f in follows], items, more, total, AS_CONTEXT)


async def followers(rt: Runtime, actor: models.Actor, page: PageRequest | None) -> dict[str, Any]:
    """The URIs of the actors whose follow of `actor` was accepted, newest first."""
    qs = models.Follow.filter(
        target_id=actor.id, state=FollowState.ACCEPTED, follower__deleted_at__isnull=True
    )
    return await _follow_collection(
        actor.followers_url or rt.urls.followers(actor.username), qs, "follower", page
    )


async def following(rt: Runtime, actor: models.Actor, page: PageRequest | None) -> dict[str, Any]:
    """The URIs of the actors `actor` follows (accepted follows only), newest first."""
    qs = models.Follow.filter(
        follower_id=actor.id, state=FollowState.ACCEPTED, target__deleted_at__isnull=True
    )
    return await _follow_collection(
        actor.following_url or rt.urls.following(actor.username), qs, "target", page
    )


async def featured(
    rt: Runtime, actor: models.Actor, requester: models.Actor | None
) -> dict[str, Any]:
    """Pinned statuses (Mastodon's toot:featured), unpaged: those `requester` may see."""
    items = await pins.featured_items(rt, actor, requester)
    return {
        "@context": NOTE_CONTEXT,
        "id": pins.featured_url(rt, actor),
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }
