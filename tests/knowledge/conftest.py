"""API-test fixtures."""

from __future__ import annotations

import pytest
from tortoise.backends.base import executor


@pytest.fixture(autouse=True)
def _fresh_insert_queries() -> None:
    # tortoise caches INSERT statements per connection name: SQLite's `?` must not reach PostgreSQL
    executor.EXECUTOR_CACHE.clear()
