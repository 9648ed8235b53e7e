"""Direct messages grouped by conversation (Status.conversation_uri), for the Mastodon API's
/api/v1/conversations and the node's own messages page alike.

A conversation's id is the id of its oldest status the reader can see, so it stays stable as
replies arrive. Per-reader state has no model of its own: it is kept in Marker rows under
namespaced timeline names (`conv:<id>` = read up to; `hide:<id>` = hidden up to), so a
conversation is unread when a newer status from someone else arrives, and comes back after being
hidden when a new message arrives, as Mastodon's AccountConversation behaves.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from tortoise.expressions import Q

from fedihub import models
from fedihub.social import timelines

_SCAN = 200  # statuses read per round while grouping a page


def key_of(status: models.Status) -> str:
    return status.conversation_uri or status.uri


async def root_ids(viewer: models.Actor, keys: list[str]) -> dict[str, int]:
    """The oldest visible status id per conversation key."""
    out: dict[str, int] = {}
    query = timelines.direct(viewer).filter(Q(conversation_uri__in=keys) | Q(uri__in=keys))
    rows = await query.order_by("id").values_list("id", "conversation_uri", "uri")
    for status_id, conversation, uri in rows:
        out.setdefault(conversation or uri, status_id)
    return out


async def _state(viewer: models.Actor, roots: list[int]) -> dict[str, int]:
    names = [f"conv:{i}" for i in roots] + [f"hide:{i}" for i in roots]
    query = models.Marker.filter(actor_id=viewer.id, timeline__in=names)
    rows = await query.values_list("timeline", "last_read_id")
    return dict(rows)


@dataclass(frozen=True)
class Summary:
    """One conversation as its reader sees it: its id, newest status, whether she has read it,
    and the others in it (authors and the mentioned), first seen first."""

    id: int
    last: models.Status
    unread: bool
    participant_ids: list[int]


async def summaries(
    viewer: models.Actor, lasts: list[models.Status], *, hidden: bool = False
) -> list[Summary]:
    """The conversations whose newest statuses are `lasts` (hidden ones only if asked)."""
    if not lasts:
        return []
    roots = await root_ids(viewer, [key_of(s) for s in lasts])
    state = await _state(viewer, list(roots.values()))
    listed = [
        s for s in lasts if hidden or s.id > state.get(f"hide:{roots.get(key_of(s), s.id)}", 0)
    ]
    mentions = await models.Mention.filter(status_id__in=[s.id for s in listed]).values_list(
        "status_id", "actor_id"
    )
    people: dict[int, list[int]] = {s.id: [s.actor_id] for s in listed}
    for status_id, actor_id in mentions:
        people[status_id].append(actor_id)
    out = []
    for status in listed:
        root = roots.get(key_of(status), status.id)
        others = OrderedDict.fromkeys(i for i in people[status.id] if i != viewer.id)
        unread = status.actor_id != viewer.id and status.id > state.get(f"conv:{root}", 0)
        out.append(Summary(root, status, unread, list(others)))
    return out


async def latest_by_conversation(
    viewer: models.Actor,
    limit: int,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
) -> list[models.Status]:
    """The newest visible direct status of each conversation, newest first, `limit` of them."""
    lasts: OrderedDict[str, models.Status] = OrderedDict()
    query = timelines.direct(viewer)
    if since_id is not None:
        query = query.filter(id__gt=since_id)
    if min_id is not None:
        query = query.filter(id__gt=min_id)
    cursor = max_id
    while len(lasts) < limit:
        batch_query = query if cursor is None else query.filter(id__lt=cursor)
        batch = await batch_query.order_by("-id").limit(_SCAN)
        for status in batch:
            if key_of(status) not in lasts:
                lasts[key_of(status)] = status
        if len(batch) < _SCAN:
            break
        cursor = batch[-1].id
    return list(lasts.values())[:limit]


async def mark(viewer: models.Actor, name: str, status_id: int) -> None:
    """Move a `conv:` (read) or `hide:` (hidden) marker of the reader's to `status_id`."""
    mine = models.Marker.filter(actor_id=viewer.id, timeline=name)
    updated = await mine.update(last_read_id=status_id)
    if not updated:
        await models.Marker.get_or_create(
            actor_id=viewer.id, timeline=name, defaults={"last_read_id": status_id}
        )
