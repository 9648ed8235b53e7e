"""Durable background work: job rows, lease-based claiming, back-off, the runner loop, drain().

Knows no job kinds: services register a handler per kind with `@jobs.handler("kind")`.
"""

from fedihub.jobs.queue import (
    PermanentError,
    claim,
    drain,
    enqueue,
    handler,
    handlers,
    run_job,
)

__all__ = ["PermanentError", "claim", "drain", "enqueue", "handler", "handlers", "run_job"]
