from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_meetings')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='MediaAttachment',
            name='preview_key',
            field=fields.CharField(null=True, db_index=True, max_length=512),
        ),
        ops.AlterField(
            model_name='MediaAttachment',
            name='storage_key',
            field=fields.CharField(null=True, db_index=True, max_length=512),
        ),
    ]
