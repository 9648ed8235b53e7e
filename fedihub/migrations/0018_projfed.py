from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.ids import new_id
from fedihub.models.statuses import Visibility
from tortoise.fields.base import OnDelete
from tortoise import fields

# SQLite alters a column by rebuilding its table, which drops the table's triggers: the search
# index's triggers on `articles` (0008) are made again after the AlterField below. PostgreSQL
# alters in place and keeps its generated search column.
SQLITE_SEARCH_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS article_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO article_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS article_fts_update AFTER UPDATE OF search_text ON articles BEGIN "
    "DELETE FROM article_fts WHERE rowid = old.id; "
    "INSERT INTO article_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS article_fts_delete AFTER DELETE ON articles BEGIN "
    "DELETE FROM article_fts WHERE rowid = old.id; END",
]


class RestoreSearchTriggers(ops.RunSQL):
    """On SQLite, the search index's triggers again; nothing on PostgreSQL."""

    def __init__(self) -> None:
        super().__init__(SQLITE_SEARCH_TRIGGERS, reverse_sql=[])

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor and state_editor.client.capabilities.dialect != "postgres":
            # one statement per call: the schema editor would cut a trigger's body at its ';'
            for statement in SQLITE_SEARCH_TRIGGERS:
                await state_editor.client.execute_query(statement)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None


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
        RestoreSearchTriggers(),
    ]
