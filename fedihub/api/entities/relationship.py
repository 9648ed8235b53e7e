"""Relationship: how the viewer and each target account relate; five queries for any number."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fedihub import models
from fedihub.api.entities.common import iso
from fedihub.models import FollowState


async def relationships(viewer_id: int, target_ids: list[int]) -> list[dict[str, Any]]:
    """One Relationship per target id, in the order given (duplicates kept)."""
    ids = list(dict.fromkeys(target_ids))
    if not ids:
        return []
    outgoing = {
        f.target_id: f.state
        for f in await models.Follow.filter(follower_id=viewer_id, target_id__in=ids)
    }
    incoming = {
        f.follower_id: f.state
        for f in await models.Follow.filter(target_id=viewer_id, follower_id__in=ids)
    }
    made = models.Block.filter(actor_id=viewer_id, target_id__in=ids)
    blocking = set(await models.column(made.values_list("target_id", flat=True)))
    received = models.Block.filter(target_id=viewer_id, actor_id__in=ids)
    blocked_by = set(await models.column(received.values_list("actor_id", flat=True)))
    now = datetime.now(UTC)
    mutes = {
        m.target_id: m
        for m in await models.Mute.filter(actor_id=viewer_id, target_id__in=ids)
        if m.expires_at is None or m.expires_at > now  # an expired mute is no mute
    }
    out = []
    for target in target_ids:
        mute = mutes.get(target)
        following = outgoing.get(target) == FollowState.ACCEPTED
        out.append(
            {
                "id": str(target),
                "following": following,
                "showing_reblogs": following,
                "notifying": False,
                "languages": None,
                "followed_by": incoming.get(target) == FollowState.ACCEPTED,
                "blocking": target in blocking,
                "blocked_by": target in blocked_by,
                "muting": mute is not None,
                "muting_notifications": bool(mute and mute.notifications),
                "muting_expires_at": iso(mute.expires_at) if mute else None,
                "requested": outgoing.get(target) == FollowState.PENDING,
                "requested_by": incoming.get(target) == FollowState.PENDING,
                "domain_blocking": False,
                "endorsed": False,
                "note": "",
            }
        )
    return out


async def relationship(viewer_id: int, target_id: int) -> dict[str, Any]:
    return (await relationships(viewer_id, [target_id]))[0]
