"""Mastodon's CSV exports of an account, written as Mastodon writes them so that any server's
import reads them: following_accounts.csv and muted_accounts.csv with their header lines,
blocked_accounts.csv, blocked_domains.csv and bookmarks.csv one value a line, lists.csv
`list name,address` (Mastodon's app/services/export_service and the import's expected headers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from fedihub import models
from fedihub.models import FollowState
from fedihub.runtime import Runtime

NAMES = (
    "following_accounts",
    "lists",
    "blocked_accounts",
    "muted_accounts",
    "blocked_domains",
    "bookmarks",
)
FOLLOWING_HEADER = ["Account address", "Show boosts", "Notify on new posts", "Languages"]
MUTED_HEADER = ["Account address", "Hide notifications"]
MAX_ROWS = 100_000


def handle(actor: models.Actor, domain: str) -> str:
    return f"{actor.username}@{actor.domain or domain}"


async def _actors(ids: Iterable[int]) -> dict[int, models.Actor]:
    wanted = list(ids)
    rows = await models.Actor.filter(id__in=wanted) if wanted else []
    return {a.id: a for a in rows}


async def write(rt: Runtime, user: models.User, name: str) -> str:
    """The CSV text of export `name` (one of NAMES) for `user`."""
    me, domain = user.actor_id, rt.urls.domain
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if name == "following_accounts":
        writer.writerow(FOLLOWING_HEADER)
        follows = models.Follow.filter(follower_id=me, state=FollowState.ACCEPTED)
        ids = await models.column(follows.limit(MAX_ROWS).values_list("target_id", flat=True))
        actors = await _actors(int(i) for i in ids)
        for actor in sorted(actors.values(), key=lambda a: handle(a, domain)):
            writer.writerow([handle(actor, domain), "true", "false", ""])
    elif name == "blocked_accounts":
        rows = models.Block.filter(actor_id=me).limit(MAX_ROWS)
        ids = await models.column(rows.values_list("target_id", flat=True))
        for actor in (await _actors(int(i) for i in ids)).values():
            writer.writerow([handle(actor, domain)])
    elif name == "muted_accounts":
        writer.writerow(MUTED_HEADER)
        mutes = await models.Mute.filter(actor_id=me).limit(MAX_ROWS)
        actors = await _actors(m.target_id for m in mutes)
        for mute in mutes:
            if mute.target_id in actors:
                hide = "true" if mute.notifications else "false"
                writer.writerow([handle(actors[mute.target_id], domain), hide])
    elif name == "blocked_domains":
        domains = models.UserDomainBlock.filter(actor_id=me).order_by("domain").limit(MAX_ROWS)
        for blocked in await models.column(domains.values_list("domain", flat=True)):
            writer.writerow([blocked])
    elif name == "bookmarks":
        marked = models.Bookmark.filter(actor_id=me).order_by("-id").limit(MAX_ROWS)
        ids = await models.column(marked.values_list("status_id", flat=True))
        uris = models.Status.filter(id__in=ids).values_list("uri", flat=True)
        for uri in await models.column(uris):
            writer.writerow([uri])
    elif name == "lists":
        for lst in await models.List.filter(owner_id=me).order_by("title"):
            for actor in await models.Actor.filter(list_memberships__list_id=lst.id):
                writer.writerow([lst.title, handle(actor, domain)])
    else:
        raise ValueError(f"no export named {name!r}")
    return out.getvalue()
