from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.ids import new_id
from fedihub.models.rights import TransferState
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0016_knowfin')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountArchive',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('state', fields.CharEnumField(default=TransferState.PENDING, description='PENDING: pending\nRUNNING: running\nDONE: done\nFAILED: failed', enum_type=TransferState, max_length=16)),
                ('total', fields.IntField(default=0)),
                ('processed', fields.IntField(default=0)),
                ('storage_key', fields.CharField(null=True, max_length=255)),
                ('size', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_archives', 'app': 'models', 'indexes': [Index(fields=['user_id'])], 'pk_attr': 'id', 'table_description': 'An archive of the account (actor.json, outbox.json, media) made by a background job.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DataImport',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('kind', fields.CharField(max_length=32)),
                ('mode', fields.CharField(max_length=16)),
                ('body', fields.TextField(unique=False)),
                ('state', fields.CharEnumField(default=TransferState.PENDING, description='PENDING: pending\nRUNNING: running\nDONE: done\nFAILED: failed', enum_type=TransferState, max_length=16)),
                ('total', fields.IntField(default=0)),
                ('processed', fields.IntField(default=0)),
                ('imported', fields.IntField(default=0)),
                ('failed', fields.IntField(default=0)),
                ('errors', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'data_imports', 'app': 'models', 'indexes': [Index(fields=['user_id'])], 'pk_attr': 'id', 'table_description': "One uploaded CSV in Mastodon's format, applied line by line by a background job."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('code_hash', fields.CharField(max_length=128)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recovery_codes', 'app': 'models', 'indexes': [Index(fields=['user_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TwoFactor',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('user_id', fields.BigIntField(unique=True)),
                ('secret_sealed', fields.TextField(unique=False)),
                ('enabled', fields.BooleanField(default=False)),
                ('last_step', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'two_factors', 'app': 'models', 'pk_attr': 'id', 'table_description': "A user's TOTP second factor: made at setup, `enabled` once a first code confirmed it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebSession',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('key_hash', fields.CharField(unique=True, max_length=128)),
                ('user_agent', fields.CharField(default='', max_length=512)),
                ('ip', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'web_sessions', 'app': 'models', 'indexes': [Index(fields=['user_id'])], 'pk_attr': 'id', 'table_description': "One signed-in browser: the cookie carries `key`'s plain value, the row its digest."},
            bases=['Model'],
        ),
    ]
