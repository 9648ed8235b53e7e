from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.ids import new_id
from fedihub.models.lists import RepliesPolicy
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_trends')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FollowedTag',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='followed_tags', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'followed_tags', 'app': 'models', 'unique_together': (('actor', 'name'),), 'indexes': [Index(fields=['name', 'actor_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='List',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.Actor', source_field='owner_id', db_constraint=True, to_field='id', related_name='lists', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=255)),
                ('replies_policy', fields.CharEnumField(default=RepliesPolicy.LIST, description='FOLLOWED: followed\nLIST: list\nNONE: none', enum_type=RepliesPolicy, max_length=16)),
                ('exclusive', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lists', 'app': 'models', 'indexes': [Index(fields=['owner_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ListAccount',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('list', fields.ForeignKeyField('models.List', source_field='list_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='list_memberships', on_delete=OnDelete.CASCADE)),
                ('follow', fields.ForeignKeyField('models.Follow', source_field='follow_id', null=True, db_constraint=True, to_field='id', related_name='list_memberships', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'list_accounts', 'app': 'models', 'unique_together': (('list', 'actor'),), 'indexes': [Index(fields=['actor_id', 'list_id']), Index(fields=['follow_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
