"""When a stream must close: its token was revoked or its account disabled.

A stream subscribes to its token's access channels (accounts/revocations.py) beside its streams;
an `access.ended` event there ends it at once. Every RECHECK_S it also asks the database, which
catches what the bus lost (a message dropped while a process reconnected; `fedihub user disable`
on a SQLite node, whose CLI process cannot reach the server's bus). One primary-key lookup per
stream a minute: a thousand streams cost some 17 cheap statements a second.
"""

from __future__ import annotations

import time

from fedihub import events, models
from fedihub.accounts import revocations

RECHECK_S = 60.0


class Guard:
    def __init__(self, token: models.OAuthToken | None) -> None:
        self.token = token
        self.channels = revocations.channels(token) if token is not None else []
        self._next_check = time.monotonic() + RECHECK_S

    def wait(self, heartbeat_s: float) -> float:
        """How long a stream may wait for its next event before it must look again."""
        if self.token is None:
            return heartbeat_s
        return max(0.0, min(heartbeat_s, self._next_check - time.monotonic()))

    async def ended(self, event: events.Event | None) -> bool:
        """True when the stream must close: `event` announces it, or the re-check, when due,
        finds the token revoked or its user disabled."""
        if self.token is None:
            return False
        if event is not None and event.get("event") == revocations.ENDED:
            return event.get("channel") in self.channels
        if time.monotonic() < self._next_check:
            return False
        self._next_check = time.monotonic() + RECHECK_S
        return not await revocations.still_valid(self.token)
