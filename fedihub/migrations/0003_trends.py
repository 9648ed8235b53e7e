from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from fedihub.ids import new_id
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_scheduled_statuses')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TrendingStatus',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('status', fields.OneToOneField('models.Status', source_field='status_id', db_constraint=True, to_field='id', related_name='trend', on_delete=OnDelete.CASCADE)),
                ('rank', fields.IntField(db_index=True)),
                ('score', fields.FloatField()),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'trending_statuses', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrendingTag',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=255)),
                ('rank', fields.IntField(db_index=True)),
                ('score', fields.FloatField()),
                ('history', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'trending_tags', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
