from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_move')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProjectTaskComment',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('task', fields.ForeignKeyField('models.ProjectTask', source_field='task_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.Actor', source_field='author_id', db_constraint=True, to_field='id', related_name='task_comments', on_delete=OnDelete.CASCADE)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'project_task_comments', 'app': 'models', 'indexes': [Index(fields=['task_id', 'id'])], 'pk_attr': 'id', 'table_description': "A member's comment on a task of a local project, shown on the task's page."},
            bases=['Model'],
        ),
    ]
