"""Reading one column: tortoise's stubs type `values_list(name, flat=True)` as a list of tuples,
though it returns the bare values; this says what it returns, in one place."""

from __future__ import annotations

from typing import Any

from tortoise.queryset import ValuesListQuery


async def column(query: ValuesListQuery[Any]) -> list[Any]:
    """The values of a one-column `values_list(name, flat=True)` query."""
    values: Any = await query
    return list(values)
