"""Shared fixtures: a database on SQLite and on PostgreSQL, settings, the Runtime, an app.

Every database test runs once per backend. PostgreSQL tests create their own database and drop it
afterwards; where no PostgreSQL answers they are skipped with a reason that the summary shows.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from fedihub import config, db, node
from fedihub.app import create_app
from fedihub.runtime import Runtime
from fedihub.security import keys

# bovine_peer / bovine_peers: a real bovine-herd server on loopback (tests/peers/fixtures.py)
pytest_plugins = ["tests.peers.fixtures"]

PG_ADMIN_URL = os.environ.get(
    "FEDIHUB_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)
_pg_state: dict[str, Any] = {}


def _pg_reason() -> str | None:
    """None when PostgreSQL answers, else why it does not (checked once per process)."""
    if "reason" not in _pg_state:
        import asyncpg

        async def probe() -> None:
            conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
            await conn.close()

        try:
            asyncio.run(probe())
            _pg_state["reason"] = None
        except Exception as exc:  # any failure means: no PostgreSQL for this run
            _pg_state["reason"] = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
    return _pg_state["reason"]


async def create_pg_database() -> str:
    import asyncpg

    name = f"fedihub_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


async def drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        reason = _pg_reason()
        if reason:
            pytest.skip(reason)
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield f"sqlite://{tmp_path / 'fedihub.sqlite3'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


async def _migrate_into(url: str, data_dir: Path) -> None:
    settings = config.load(
        environ={}, overrides={"domain": "template.test", "database_url": url, "data_dir": data_dir}
    )
    async with db.database(settings):
        await db.migrate(settings)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Migrated template databases, made once per test process: a test copies one instead of
    running every migration again (a copy costs milliseconds; migrating costs about a second)."""
    made: dict[str, str] = {}
    yield made
    if "postgres" in made:
        asyncio.run(drop_pg_database(made["postgres"]))


def _template(backend: str, made: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend not in made:
        folder = tmp_path_factory.mktemp("template")
        if backend == "sqlite":
            url = f"sqlite://{folder / 'template.sqlite3'}"
        else:
            url = asyncio.run(create_pg_database())
        asyncio.run(_migrate_into(url, folder))
        made[backend] = url
    return made[backend]


@pytest.fixture
async def migrated_database_url(
    backend: str,
    tmp_path: Path,
    _templates: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[str]:
    """A database with every migration applied, of its own for this test (copied from a
    template)."""
    template = await asyncio.to_thread(_template, backend, _templates, tmp_path_factory)
    if backend == "sqlite":
        target = tmp_path / "fedihub.sqlite3"
        shutil.copyfile(template[len("sqlite://") :], target)
        yield f"sqlite://{target}"
        return
    import asyncpg

    name = f"fedihub_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
    finally:
        await conn.close()
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture(scope="session")
def secrets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # one set of secrets for the whole run: RSA key generation is slow and the keys are not
    # under test
    path = tmp_path_factory.mktemp("keys")
    keys.create_node_secrets(path)
    return path


@pytest.fixture(scope="session")
def node_secrets(secrets_dir: Path) -> keys.NodeSecrets:
    return keys.load_node_secrets(secrets_dir)


@pytest.fixture
def settings(migrated_database_url: str, tmp_path: Path, secrets_dir: Path) -> config.Settings:
    return config.load(
        environ={},
        overrides={
            "domain": "fedihub.test",
            "scheme": "https",
            "database_url": migrated_database_url,
            "data_dir": tmp_path / "data",
            "keys_dir": secrets_dir,
            "run_jobs_in_process": False,
        },
    )


@pytest.fixture
async def rt(settings: config.Settings, node_secrets: keys.NodeSecrets) -> AsyncIterator[Runtime]:
    """A migrated database and a Runtime on it (no HTTP server)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with db.database(settings):
        await db.migrate(settings)
        yield node.build(settings, node_secrets)


@pytest.fixture
async def app(settings: config.Settings, node_secrets: keys.NodeSecrets) -> AsyncIterator[Any]:
    """An app on a migrated database, started (before_serving ran) for the Quart test client."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with db.database(settings):
        await db.migrate(settings)
    application = create_app(settings, secrets=node_secrets)
    async with application.test_app():
        yield application


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()
