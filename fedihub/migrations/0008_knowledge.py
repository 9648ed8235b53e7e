from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from fedihub.ids import new_id
from fedihub.models.statuses import Visibility
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Added by hand (keep when regenerating): the full-text index of knowledge posts
# (knowledge/search.py). SQLite: an FTS5 table kept in step with articles.search_text by
# triggers (articles.id is not SQLite's rowid, so the FTS table is not an external-content one).
# PostgreSQL: a stored tsvector of the column ('simple': the text is already cut into terms)
# with a GIN index; tortoise does not know the column, knowledge/search.py reads it.
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE article_fts USING fts5(search_text, tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER article_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO article_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER article_fts_update AFTER UPDATE OF search_text ON articles BEGIN "
    "DELETE FROM article_fts WHERE rowid = old.id; "
    "INSERT INTO article_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER article_fts_delete AFTER DELETE ON articles BEGIN "
    "DELETE FROM article_fts WHERE rowid = old.id; END",
]
SQLITE_SEARCH_REVERSE = [
    "DROP TRIGGER article_fts_insert",
    "DROP TRIGGER article_fts_update",
    "DROP TRIGGER article_fts_delete",
    "DROP TABLE article_fts",
]
POSTGRES_SEARCH = [
    "ALTER TABLE articles ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX article_search_idx ON articles USING GIN (search_vector)",
]
POSTGRES_SEARCH_REVERSE = [
    "DROP INDEX article_search_idx",
    "ALTER TABLE articles DROP COLUMN search_vector",
]


class SearchIndex(ops.RunSQL):
    """RunSQL with one set of statements per database."""

    def __init__(self) -> None:
        super().__init__(SQLITE_SEARCH, reverse_sql=SQLITE_SEARCH_REVERSE)

    def _pick(self, state_editor, forward: bool):
        postgres = state_editor.client.capabilities.dialect == "postgres"
        if forward:
            return POSTGRES_SEARCH if postgres else SQLITE_SEARCH
        return POSTGRES_SEARCH_REVERSE if postgres else SQLITE_SEARCH_REVERSE

    async def _run(self, state_editor, statements) -> None:
        # one statement per call: the schema editor would cut a trigger's body at its ';'
        for statement in statements:
            await state_editor.client.execute_query(statement)

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor:
            await self._run(state_editor, self._pick(state_editor, True))

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor:
            await self._run(state_editor, self._pick(state_editor, False))


class Migration(migrations.Migration):
    dependencies = [('models', '0007_directory')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Article',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='articles', on_delete=OnDelete.CASCADE)),
                ('status', fields.OneToOneField('models.Status', source_field='status_id', null=True, db_constraint=True, to_field='id', related_name='article', on_delete=OnDelete.SET_NULL)),
                ('local', fields.BooleanField(default=True)),
                ('title', fields.CharField(max_length=300)),
                ('summary', fields.TextField(default='', unique=False)),
                ('body', fields.TextField(default='', unique=False)),
                ('content', fields.TextField(default='', unique=False)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('language', fields.CharField(null=True, max_length=16)),
                ('license', fields.CharField(null=True, max_length=256)),
                ('visibility', fields.CharEnumField(default=Visibility.PUBLIC, description='PUBLIC: public\nUNLISTED: unlisted\nPRIVATE: private\nDIRECT: direct\nINSTITUTION: institution', enum_type=Visibility, max_length=16)),
                ('draft', fields.BooleanField(default=True)),
                ('version', fields.IntField(default=1)),
                ('media_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('cover_id', fields.BigIntField(null=True)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('indexable', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'articles', 'app': 'models', 'indexes': [Index(fields=['draft', 'deleted_at', 'published_at']), Index(fields=['actor_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ArticleReads',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('article_id', fields.BigIntField()),
                ('hour', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'article_reads', 'app': 'models', 'unique_together': (('article_id', 'hour'),), 'indexes': [Index(fields=['hour', 'article_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ArticleVersion',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('article', fields.ForeignKeyField('models.Article', source_field='article_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('title', fields.CharField(max_length=300)),
                ('summary', fields.TextField(default='', unique=False)),
                ('body', fields.TextField(default='', unique=False)),
                ('content', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'article_versions', 'app': 'models', 'unique_together': (('article', 'number'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrendingArticle',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('article_id', fields.BigIntField(unique=True)),
                ('rank', fields.IntField(db_index=True)),
                ('score', fields.FloatField()),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'trending_articles', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        SearchIndex(),
    ]
