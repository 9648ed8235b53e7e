from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.models.statuses import Visibility
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_article_suggestions')]

    initial = False

    operations = [
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
