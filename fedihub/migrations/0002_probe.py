from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.ids import new_id
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.RemoveField(model_name='Actor', name='id'),
        ops.AddField(
            model_name='Actor',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Actor',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Block', name='id'),
        ops.AddField(
            model_name='Block',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Block',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Bookmark', name='id'),
        ops.AddField(
            model_name='Bookmark',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Bookmark',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Favourite', name='id'),
        ops.AddField(
            model_name='Favourite',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Favourite',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Follow', name='id'),
        ops.AddField(
            model_name='Follow',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Follow',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='InviteCode', name='id'),
        ops.AddField(
            model_name='InviteCode',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='InviteCode',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Job', name='id'),
        ops.AddField(
            model_name='Job',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Job',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Marker', name='id'),
        ops.AddField(
            model_name='Marker',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Marker',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='MediaAttachment', name='id'),
        ops.AddField(
            model_name='MediaAttachment',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='MediaAttachment',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Mention', name='id'),
        ops.AddField(
            model_name='Mention',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Mention',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Mute', name='id'),
        ops.AddField(
            model_name='Mute',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Mute',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Notification', name='id'),
        ops.AddField(
            model_name='Notification',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Notification',
            index=Index(fields=['id']),
        ),
        ops.AddIndex(
            model_name='Notification',
            index=Index(fields=['recipient_id', 'id']),
        ),
        ops.RemoveField(model_name='OAuthApp', name='id'),
        ops.AddField(
            model_name='OAuthApp',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='OAuthApp',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='OAuthCode', name='id'),
        ops.AddField(
            model_name='OAuthCode',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='OAuthCode',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='OAuthToken', name='id'),
        ops.AddField(
            model_name='OAuthToken',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='OAuthToken',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='OutboxActivity', name='id'),
        ops.AddField(
            model_name='OutboxActivity',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='OutboxActivity',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='Status', name='id'),
        ops.AddField(
            model_name='Status',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='Status',
            index=Index(fields=['id']),
        ),
        ops.AddIndex(
            model_name='Status',
            index=Index(fields=['actor_id', 'id']),
        ),
        ops.AddIndex(
            model_name='Status',
            index=Index(fields=['local', 'visibility', 'id']),
        ),
        ops.RemoveField(model_name='StatusEdit', name='id'),
        ops.AddField(
            model_name='StatusEdit',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='StatusEdit',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='StatusTag', name='id'),
        ops.AddField(
            model_name='StatusTag',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='StatusTag',
            index=Index(fields=['id']),
        ),
        ops.RemoveField(model_name='User', name='id'),
        ops.AddField(
            model_name='User',
            name='id',
            field=fields.BigIntField(primary_key=True, default=new_id, unique=True, db_index=True),
        ),
        ops.AddIndex(
            model_name='User',
            index=Index(fields=['id']),
        ),
    ]
