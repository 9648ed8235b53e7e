"""Shared formatting of ActivityStreams documents: dates as peers parse them, and the envelope of an
activity. Each domain builds its own documents (accounts/activities.py for actors,
social/documents.py and social/activities.py for statuses) on these; nothing here knows a row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fedihub.activitypub.vocabulary import AS_CONTEXT


def format_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with a Z, seconds precision (what Mastodon sends and parses)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> str:
    return format_datetime(datetime.now(UTC))


def activity(kind: str, ident: str, actor_uri: str, obj: Any, **extra: Any) -> dict[str, Any]:
    """An activity of `kind` by `actor_uri` about `obj` (an id or an embedded document)."""
    return {
        "@context": AS_CONTEXT,
        "id": ident,
        "type": kind,
        "actor": actor_uri,
        "object": obj,
        **extra,
    }
