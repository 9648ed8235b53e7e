from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.ids import new_id
from fedihub.models.moderation import Severity
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_projects')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DomainAllow',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('domain', fields.CharField(unique=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'domain_allows', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DomainBlock',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('domain', fields.CharField(unique=True, max_length=255)),
                ('severity', fields.CharEnumField(default=Severity.SILENCE, description='NOOP: noop\nSILENCE: silence\nSUSPEND: suspend', enum_type=Severity, max_length=16)),
                ('reject_media', fields.BooleanField(default=False)),
                ('reject_reports', fields.BooleanField(default=False)),
                ('private_comment', fields.TextField(default='', unique=False)),
                ('public_comment', fields.TextField(default='', unique=False)),
                ('obfuscate', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'domain_blocks', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
