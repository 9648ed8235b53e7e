"""ScheduledStatus: the post as it was sent (`params`) and the media it holds, for many rows in
one query."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fedihub import models
from fedihub.api.entities.common import iso
from fedihub.api.entities.status import media_attachment
from fedihub.runtime import Runtime

_MASTODON_VISIBILITY = {"institution": "private"}  # as the Status entity shows it (status.py)


async def scheduled_statuses(
    rt: Runtime, rows: list[models.ScheduledStatus]
) -> list[dict[str, Any]]:
    media: dict[int, list[models.MediaAttachment]] = defaultdict(list)
    if rows:
        held = models.MediaAttachment.filter(scheduled_status_id__in=[r.id for r in rows])
        for item in await held.order_by("position"):
            media[item.scheduled_status_id or 0].append(item)

    def build(row: models.ScheduledStatus) -> dict[str, Any]:
        params = dict(row.params)
        level = str(params.get("visibility") or "public")
        params["visibility"] = _MASTODON_VISIBILITY.get(level, level)
        return {
            "id": str(row.id),
            "scheduled_at": iso(row.scheduled_at),
            "params": params,
            "media_attachments": [media_attachment(rt, m) for m in media[row.id]],
        }

    return [build(r) for r in rows]


async def scheduled_status(rt: Runtime, row: models.ScheduledStatus) -> dict[str, Any]:
    return (await scheduled_statuses(rt, [row]))[0]
