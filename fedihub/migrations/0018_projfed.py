from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.ids import new_id
from fedihub.models.statuses import Visibility
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0017_rights')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProjectDataset',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('uri', fields.CharField(unique=True, max_length=768)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='datasets', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=255)),
                ('description', fields.TextField(default='', unique=False)),
                ('url', fields.CharField(max_length=768)),
                ('media_type', fields.CharField(null=True, max_length=128)),
                ('size', fields.BigIntField(null=True)),
                ('digest_multibase', fields.CharField(null=True, max_length=128)),
                ('media_id', fields.BigIntField(null=True)),
                ('created_by', fields.ForeignKeyField('models.Actor', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='created_datasets', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'project_datasets', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Article',
            name='visibility',
            field=fields.CharEnumField(default=Visibility.PUBLIC, description='PUBLIC: public\nUNLISTED: unlisted\nPRIVATE: private\nDIRECT: direct\nINSTITUTION: institution\nMEMBERS: members', enum_type=Visibility, max_length=16),
        ),
        ops.AlterField(
            model_name='Status',
            name='visibility',
            field=fields.CharEnumField(default=Visibility.PUBLIC, description='PUBLIC: public\nUNLISTED: unlisted\nPRIVATE: private\nDIRECT: direct\nINSTITUTION: institution\nMEMBERS: members', enum_type=Visibility, max_length=16),
        ),
    ]
