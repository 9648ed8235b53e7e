"""Upgrading a node that has media: migration 0005 adds the processing state to rows already there
(a NOT NULL column without a database default is refused by SQLite and PostgreSQL on a table
with rows), and they keep being served as before."""

from __future__ import annotations

from pathlib import Path

from tortoise import connections
from tortoise.migrations.executor import MigrationTarget

from fedihub import config, db, models


async def test_media_stored_before_the_upgrade_is_complete_after_it(
    database_url: str, tmp_path: Path
) -> None:
    settings = config.load(
        environ={},
        overrides={"domain": "old.test", "database_url": database_url, "data_dir": tmp_path},
    )
    async with db.database(settings):
        before = MigrationTarget(app_label="models", name="0004_lists_and_followed_tags")
        await db._executor(settings).migrate([before])
        await connections.get("default").execute_query(
            "INSERT INTO media_attachments (id, actor_id, kind, content_type, storage_key, meta,"
            " size, position, created_at) VALUES (7, 1, 'image', 'image/png',"
            " 'attachments/7/original.png', '{}', 0, 0, CURRENT_TIMESTAMP)"
        )
        assert (await db.migrate(settings))[0] == "models.0005_media_processing"
        row = await models.MediaAttachment.get(id=7)
        assert row.processing == models.MediaProcessing.COMPLETE and row.preview_key is None
        assert row.storage_key == "attachments/7/original.png"  # old names keep working
