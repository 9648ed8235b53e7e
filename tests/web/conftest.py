"""Page-test fixtures."""

from __future__ import annotations

import pytest
from tortoise.backends.base import executor


@pytest.fixture(autouse=True)
def _fresh_insert_queries() -> None:
    # tortoise caches INSERT statements per connection *name*; one process running SQLite and then
    # PostgreSQL tests (both "default") would reuse SQLite's `?` placeholders on PostgreSQL
    executor.EXECUTOR_CACHE.clear()
