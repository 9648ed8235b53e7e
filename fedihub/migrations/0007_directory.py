"""The expertise directory (entries, search terms, peers read), suggestions of whom to follow,
and Mastodon's `indexable`.

Remote actors were stored as discoverable unless they said otherwise; the fediverse's rule is the
opposite (a missing flag means no). Their flags are cleared here and come back, as their documents
say, when each actor is next read (followed actors are re-read when their copy is stale; others
when they next appear).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from fedihub.ids import new_id
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_peer_urls_http_only')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DirectoryEntry',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('uri', fields.CharField(unique=True, max_length=768)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='directory_entries', on_delete=OnDelete.CASCADE)),
                ('node', fields.CharField(db_index=True, max_length=255)),
                ('local', fields.BooleanField(default=False)),
                ('username', fields.CharField(max_length=255)),
                ('display_name', fields.CharField(default='', max_length=255)),
                ('note', fields.TextField(default='', unique=False)),
                ('url', fields.CharField(null=True, max_length=768)),
                ('avatar_url', fields.CharField(null=True, max_length=768)),
                ('research_areas', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('affiliation', fields.CharField(default='', max_length=255)),
                ('languages', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('followers_count', fields.IntField(default=0)),
                ('statuses_count', fields.IntField(default=0)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_status_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('active_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('listed_by', fields.CharField(null=True, db_index=True, max_length=255)),
                ('indexed_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'directory_entries', 'app': 'models', 'indexes': [Index(fields=['active_at', 'id']), Index(fields=['joined_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DirectoryPeer',
            fields=[
                ('domain', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=255)),
                ('next_read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failures', fields.IntField(default=0)),
                ('entries', fields.IntField(default=0)),
                ('last_error', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'directory_peers', 'app': 'models', 'pk_attr': 'domain'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DirectoryTerm',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('term', fields.CharField(max_length=96)),
                ('entry', fields.ForeignKeyField('models.DirectoryEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='terms', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'directory_terms', 'app': 'models', 'indexes': [Index(fields=['term', 'entry_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Suggestion',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('viewer', fields.ForeignKeyField('models.Actor', source_field='viewer_id', db_constraint=True, to_field='id', related_name='suggestions', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('models.Actor', source_field='account_id', db_constraint=True, to_field='id', related_name='suggested_to', on_delete=OnDelete.CASCADE)),
                ('score', fields.FloatField()),
                ('sources', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reasons', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('computed_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'suggestions', 'app': 'models', 'unique_together': (('viewer', 'account'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SuggestionDismissal',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('viewer_id', fields.BigIntField()),
                ('account_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'suggestion_dismissals', 'app': 'models', 'unique_together': (('viewer_id', 'account_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Actor',
            name='indexable',
            field=fields.BooleanField(default=True),
        ),
        ops.RunSQL(
            ["UPDATE actors SET discoverable = FALSE, indexable = FALSE WHERE domain IS NOT NULL"]
        ),
    ]
