"""Hooks for status changes: who wants to hear that a status was created, edited or deleted (the
streaming layer) registers here, so social/ never imports the API.

`notifications.listeners` does the same for new notifications. Listeners run after the change is
committed; a failing listener is logged and never undoes or fails the change (live events are a
best-effort extra: clients refetch timelines when they reconnect).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fedihub import models
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)

CREATED = "create"
EDITED = "update"
DELETED = "delete"

StatusListener = Callable[[Runtime, str, models.Status], Awaitable[None]]
status_listeners: list[StatusListener] = []


async def status_changed(rt: Runtime, change: str, status: models.Status) -> None:
    """Tell every listener that `status` was created, edited or deleted (CREATED/EDITED/DELETED)."""
    for listener in list(status_listeners):
        try:
            await listener(rt, change, status)
        except Exception:  # see the module docstring: the change itself stands
            log.exception("status listener failed for %s %s", change, status.id)
