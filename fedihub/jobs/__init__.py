"""Durable background work: job rows, lease-based claiming, back-off, the runner loop, drain().

Knows no job kinds: the assembler's table (fedihub/node.py JOB_HANDLERS) maps each kind to its
handler, and the Runtime carries that table.
"""

from fedihub.jobs.queue import (
    PermanentError,
    UnknownJobKind,
    claim,
    drain,
    enqueue,
    run_job,
)

__all__ = ["PermanentError", "UnknownJobKind", "claim", "drain", "enqueue", "run_job"]
