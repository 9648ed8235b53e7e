"""Ending live streams when access ends: a revoked token, a disabled account.

A stream checks its token once, when it opens, and may then stay open for days. So whoever ends
access publishes an `access.ended` event on the bus (fedihub.events) for the token's or the user's
channel, and every process holding one of its streams closes them at once, as Mastodon's
streaming server closes on its `kill` message. Pub/sub can lose a message (a process reconnecting
to PostgreSQL or Redis; `fedihub user disable` on a SQLite node, whose bus lives in the server's
process alone), so streams also re-check their token now and then (`still_valid`): the event makes
the close immediate, the re-check makes it certain.
"""

from __future__ import annotations

import logging

from tortoise.expressions import Subquery

from fedihub import events, models
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)
ENDED = "access.ended"


def token_channel(token_id: int) -> str:
    return f"access:token:{token_id}"


def user_channel(user_id: int) -> str:
    return f"access:user:{user_id}"


def channels(token: models.OAuthToken) -> list[str]:
    """The channels on which the end of this token's access is announced."""
    found = [token_channel(token.id)]
    if token.user_id is not None:
        found.append(user_channel(token.user_id))
    return found


async def still_valid(token: models.OAuthToken) -> bool:
    """Whether the token is unrevoked and its user (if any) not disabled: one statement."""
    live = models.OAuthToken.filter(id=token.id, revoked_at=None)
    if token.user_id is not None:
        enabled = models.User.filter(id=token.user_id, disabled=False).values("id")
        live = live.filter(user_id__in=Subquery(enabled))
    return await live.exists()


async def tokens_revoked(rt: Runtime, token_ids: list[int]) -> None:
    await _announce(rt, [token_channel(i) for i in token_ids])


async def account_disabled(rt: Runtime, user_id: int) -> None:
    await _announce(rt, [user_channel(user_id)])


async def _announce(rt: Runtime, targets: list[str]) -> None:
    if not targets:
        return
    batch: list[events.Event] = [{"channel": c, "event": ENDED, "payload": None} for c in targets]
    try:
        # the command line opens a bus for this (node.running's `bus`); without one, the
        # streams' re-check closes them
        await events.publish_many(rt.bus, batch)
    except Exception:  # the re-check still closes the streams; access has ended either way
        log.warning("could not announce the end of access on %s", targets, exc_info=True)
