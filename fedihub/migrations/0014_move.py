from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_article_suggestions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Actor',
            name='also_known_as',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Actor',
            name='moved_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Actor',
            name='moved_to',
            field=fields.ForeignKeyField('models.Actor', source_field='moved_to_id', null=True, db_constraint=True, to_field='id', related_name='moved_from', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Actor',
            name='moved_to_uri',
            field=fields.CharField(null=True, max_length=768),
        ),
    ]
