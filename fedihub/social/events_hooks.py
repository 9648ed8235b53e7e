"""Hooks for status changes: who hears that a status was created, edited or deleted (the
streaming layer) is the table node.STATUS_LISTENERS, so social/ never imports the API.

`notifications.announce` does the same for new notifications. Listeners run after the change is
committed; a failing listener is logged and never undoes or fails the change (live events are a
best-effort extra: clients refetch timelines when they reconnect).
"""

from __future__ import annotations

import logging

from fedihub import models
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)

CREATED = "create"
EDITED = "update"
DELETED = "delete"


async def status_changed(rt: Runtime, change: str, status: models.Status) -> None:
    """Tell every listener that `status` was created, edited or deleted (CREATED/EDITED/DELETED)."""
    for listener in rt.wiring.status_listeners:
        try:
            await listener(rt, change, status)
        except Exception:  # see the module docstring: the change itself stands
            log.exception("status listener failed for %s %s", change, status.id)
