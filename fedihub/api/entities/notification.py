"""Notification entities, built in bulk; an entry whose status the recipient may no longer see is
left out (the API, the streams and the pages show notifications from the same function)."""

from __future__ import annotations

from typing import Any

from fedihub import models
from fedihub.api.entities.account import account
from fedihub.api.entities.common import iso
from fedihub.api.entities.status import shown_by_id
from fedihub.notifications import grouping
from fedihub.runtime import Runtime


async def notifications(
    rt: Runtime, rows: list[models.Notification], viewer: models.Actor
) -> list[dict[str, Any]]:
    actors = {a.id: a for a in await models.Actor.filter(id__in={r.from_actor_id for r in rows})}
    rendered = await shown_by_id(rt, {r.status_id for r in rows if r.status_id}, viewer)
    # a `move` shows where the account went: `target` (as Pleroma and Akkoma answer it), and
    # Mastodon's `moved` on `account`
    moved_ids = {
        a.moved_to_id
        for row in rows
        if row.kind == "move" and (a := actors.get(row.from_actor_id)) and a.moved_to_id
    }
    moved = {a.id: a for a in await models.Actor.filter(id__in=moved_ids)} if moved_ids else {}
    out = []
    for row in rows:
        if row.status_id and row.status_id not in rendered:
            # the status is gone, or no longer the recipient's to read (a block, a lost
            # follow): so is the notification, as on Mastodon
            continue
        sender = actors[row.from_actor_id]
        target = (
            moved.get(sender.moved_to_id) if row.kind == "move" and sender.moved_to_id else None
        )
        entry = {
            "id": str(row.id),
            "type": row.kind,
            "created_at": iso(row.created_at),
            "group_key": grouping.shown_key(row),
            "account": account(rt, sender, moved=target),
            "status": rendered.get(row.status_id) if row.status_id else None,
        }
        if target is not None:
            entry["target"] = account(rt, target)
        out.append(entry)
    return out
