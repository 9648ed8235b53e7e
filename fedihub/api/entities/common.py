"""Formatting shared by the entities: timestamps and dates as Mastodon writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and Z: 2024-01-02T03:04:05.678Z."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def day(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).date()
    return value.isoformat()
