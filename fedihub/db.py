"""Opening and closing the database, and applying the checked-in migrations (tortoise's own).

SQLite runs in WAL mode with a busy timeout, so readers never wait for the writer and a second
process (the CLI while `serve` runs) waits instead of failing. PostgreSQL runs through asyncpg
with a bounded pool.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tortoise import Tortoise
from tortoise.backends.base import executor
from tortoise.migrations.executor import MigrationExecutor

from fedihub.config import Settings
from fedihub.errors import ConfigError

MODELS_MODULE = "fedihub.models"
MIGRATIONS_MODULE = "fedihub.migrations"


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool resets each connection it gets back (advisory locks, cursors, LISTEN,
    settings): one more round trip after every statement, half of them on a busy node. fedihub
    keeps none of these on pooled connections (the event bus listens on connections of its own),
    so nothing is sent; an open transaction is still rolled back by the pool itself."""


def tortoise_config(settings: Settings) -> dict[str, Any]:
    url = settings.database_url
    if url.startswith("sqlite://"):
        credentials: dict[str, Any] = {
            "file_path": url[len("sqlite://") :],
            "journal_mode": "WAL",
            "busy_timeout": 10000,
            "synchronous": "NORMAL",
            "foreign_keys": "ON",
        }
        engine = "tortoise.backends.sqlite"
    else:
        parts = urlsplit(url)
        credentials = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": unquote(parts.username or "postgres"),
            "password": unquote(parts.password or ""),
            "database": parts.path.lstrip("/") or "fedihub",
            "minsize": 1,
            "maxsize": settings.db_pool_size,
            "reset": _keep_session,
        }
        credentials.update(dict(parse_qsl(parts.query)))
        engine = "tortoise.backends.asyncpg"
    return {
        "connections": {"default": {"engine": engine, "credentials": credentials}},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


async def open_database(settings: Settings) -> None:
    """Connect, and check that the connection really works (raises ConfigError with the reason)."""
    if settings.is_sqlite:
        path = Path(settings.database_url[len("sqlite://") :])
        if str(path) != ":memory:" and not path.parent.exists():
            raise ConfigError(
                f"database directory {path.parent} does not exist (run `fedihub init`)"
            )
    # tortoise caches each model's INSERT/DELETE SQL by connection name ("default") for the life
    # of the process: a process that opens SQLite and then PostgreSQL (the test suite) would send
    # SQLite's placeholders to PostgreSQL
    executor.EXECUTOR_CACHE.clear()
    try:
        # requests run in other tasks than the start-up hook: make the context global to the process
        await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except ConfigError:
        raise
    except Exception as exc:  # any driver error: say why the database cannot be used
        with contextlib.suppress(Exception):
            await Tortoise.close_connections()
        raise ConfigError(f"cannot connect to the database: {_describe(exc)}") from None


async def close_database() -> None:
    await Tortoise.close_connections()


@contextlib.asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    await open_database(settings)
    try:
        yield
    finally:
        await close_database()


def _executor(settings: Settings) -> MigrationExecutor:
    apps = tortoise_config(settings)["apps"]
    return MigrationExecutor(Tortoise.get_connection("default"), apps)


async def pending_migrations(settings: Settings) -> list[str]:
    """Names of the migrations not yet applied (database must be open)."""
    plan = await _executor(settings).plan(None)
    return [
        f"{step.migration.app_label}.{step.migration.name}" for step in plan if not step.backward
    ]


async def migrate(settings: Settings) -> list[str]:
    """Apply every pending migration; returns what was applied. Idempotent."""
    pending = await pending_migrations(settings)
    if pending:
        await _executor(settings).migrate(None)
    return pending


# for `make makemigrations NAME=...` (tortoise's own CLI compares the models with the migrations)
MAKEMIGRATIONS_CONFIG: dict[str, Any] = {
    "connections": {"default": "sqlite://:memory:"},
    "apps": {
        "models": {
            "models": [MODELS_MODULE],
            "default_connection": "default",
            "migrations": MIGRATIONS_MODULE,
        }
    },
    "use_tz": True,
}
