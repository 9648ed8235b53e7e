from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.models.media import MediaProcessing
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_lists_and_followed_tags')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MediaAttachment',
            name='preview_key',
            field=fields.CharField(null=True, max_length=512),
        ),
        ops.AddField(
            model_name='MediaAttachment',
            name='processing',
            field=fields.CharEnumField(default=MediaProcessing.COMPLETE, description='QUEUED: queued\nCOMPLETE: complete\nFAILED: failed', enum_type=MediaProcessing, max_length=16),
        ),
    ]
