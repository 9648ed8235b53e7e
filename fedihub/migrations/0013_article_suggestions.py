from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from fedihub.ids import new_id
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_moderation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ArticleSuggestion',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('viewer', fields.ForeignKeyField('models.Actor', source_field='viewer_id', db_constraint=True, to_field='id', related_name='article_suggestions', on_delete=OnDelete.CASCADE)),
                ('article_id', fields.BigIntField()),
                ('score', fields.FloatField()),
                ('reasons', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('computed_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'article_suggestions', 'app': 'models', 'unique_together': (('viewer', 'article_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
