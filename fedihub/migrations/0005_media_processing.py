from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.models.media import MediaProcessing
from tortoise import fields


class AddFieldWithDefault(ops.AddField):
    """Added by hand: tortoise 1.1's AddField writes a NOT NULL column without a database default,
    which SQLite and PostgreSQL refuse on a table that has rows (every node with media). The state
    is AddField's; the column is added by `sql`, with the default the rows already there get."""

    def __init__(self, model_name, name, field, *, sql, reverse_sql) -> None:
        super().__init__(model_name, name, field)
        self.run = ops.RunSQL(sql, reverse_sql=reverse_sql)

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        await self.run.database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        await self.run.database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0004_lists_and_followed_tags')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MediaAttachment',
            name='preview_key',
            field=fields.CharField(null=True, max_length=512),
        ),
        AddFieldWithDefault(
            model_name='MediaAttachment',
            name='processing',
            field=fields.CharEnumField(default=MediaProcessing.COMPLETE, description='QUEUED: queued\nCOMPLETE: complete\nFAILED: failed', enum_type=MediaProcessing, max_length=16),
            sql='ALTER TABLE "media_attachments" ADD COLUMN "processing" VARCHAR(16) NOT NULL DEFAULT \'complete\'',
            reverse_sql='ALTER TABLE "media_attachments" DROP COLUMN "processing"',
        ),
    ]
