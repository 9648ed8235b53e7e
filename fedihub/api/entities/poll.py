"""Poll: Mastodon's entity of a status's poll, for many statuses in two queries (the polls, and
the viewer's own votes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from fedihub import models
from fedihub.api.entities.common import iso
from fedihub.social import poll_rows


def poll(
    item: models.Poll,
    viewer: models.Actor | None,
    own_votes: list[int] | None,
    *,
    author_id: int,
    now: datetime | None = None,
) -> dict[str, Any]:
    """`own_votes`: the viewer's choices (None: no viewer). Counts per option are null while a
    poll hides its totals, until it ends, except to its author (Mastodon's show_totals_now?)."""
    expired = poll_rows.expired(item, now or datetime.now(UTC))
    shown = expired or not item.hide_totals or (viewer is not None and viewer.id == author_id)
    body: dict[str, Any] = {
        "id": str(item.id),
        "expires_at": iso(item.expires_at),
        "expired": expired,
        "multiple": item.multiple,
        "votes_count": sum(item.tallies),
        "voters_count": item.voters_count,
        "options": [
            {"title": title, "votes_count": (count if shown else None)}
            for title, count in zip(item.options, item.tallies, strict=False)
        ],
        "emojis": [],
    }
    if viewer is not None:
        mine = own_votes or []
        body["voted"] = bool(mine) or viewer.id == author_id
        body["own_votes"] = mine
    return body


async def polls_by_status(
    statuses: Iterable[models.Status], viewer: models.Actor | None
) -> dict[int, dict[str, Any]]:
    """The Poll entity of each of `statuses` that asks a question, by status id."""
    authors = {s.id: s.actor_id for s in statuses if s.object_type == "Question"}
    if not authors:
        return {}
    rows = await models.Poll.filter(status_id__in=list(authors))
    own: dict[int, list[int]] = defaultdict(list)
    if viewer is not None and rows:
        votes = models.PollVote.filter(actor_id=viewer.id, poll_id__in=[p.id for p in rows])
        for poll_id, choice in await votes.order_by("choice").values_list("poll_id", "choice"):
            own[int(poll_id)].append(int(choice))
    now = datetime.now(UTC)
    return {
        p.status_id: poll(
            p,
            viewer,
            own.get(p.id, []) if viewer is not None else None,
            author_id=authors[p.status_id],
            now=now,
        )
        for p in rows
    }
