from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from fedihub.ids import new_id
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ScheduledStatus',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='scheduled_statuses', on_delete=OnDelete.CASCADE)),
                ('scheduled_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('idempotency_key', fields.CharField(null=True, max_length=128)),
                ('publishing_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'scheduled_statuses', 'app': 'models', 'unique_together': (('actor', 'idempotency_key'),), 'indexes': [Index(fields=['actor_id', 'scheduled_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='MediaAttachment',
            name='scheduled_status_id',
            field=fields.BigIntField(null=True, db_index=True),
        ),
        # added by hand: tortoise 1.1's AddField writes the column but not its db_index index
        # (the name is the one its CreateModel would give it)
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_media_attac_schedul_cc64a5" ON "media_attachments" ("scheduled_status_id")',
            reverse_sql='DROP INDEX IF EXISTS "idx_media_attac_schedul_cc64a5"',
        ),
    ]
