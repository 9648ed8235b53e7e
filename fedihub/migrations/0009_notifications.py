from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from fedihub.ids import new_id
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_knowledge')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConversationMute',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('actor_id', fields.BigIntField()),
                ('conversation', fields.CharField(max_length=768)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'conversation_mutes', 'app': 'models', 'unique_together': (('actor_id', 'conversation'),), 'pk_attr': 'id', 'table_description': "A thread the actor hears no more of (Mastodon's conversation mute), by its conversation"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationPermission',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('recipient_id', fields.BigIntField()),
                ('from_actor_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification_permissions', 'app': 'models', 'unique_together': (('recipient_id', 'from_actor_id'),), 'pk_attr': 'id', 'table_description': "A sender whose notifications pass the recipient's policy (an accepted request)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationPolicy',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('actor_id', fields.BigIntField(unique=True)),
                ('for_not_following', fields.CharField(default='accept', max_length=8)),
                ('for_not_followers', fields.CharField(default='accept', max_length=8)),
                ('for_new_accounts', fields.CharField(default='accept', max_length=8)),
                ('for_private_mentions', fields.CharField(default='filter', max_length=8)),
                ('for_limited_accounts', fields.CharField(default='filter', max_length=8)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'notification_policies', 'app': 'models', 'pk_attr': 'id', 'table_description': "Mastodon's v2 policy: each field is accept, filter or drop (a row only once changed)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationRequest',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('recipient_id', fields.BigIntField()),
                ('from_actor_id', fields.BigIntField()),
                ('last_status_id', fields.BigIntField(null=True)),
                ('notifications_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'notification_requests', 'app': 'models', 'unique_together': (('recipient_id', 'from_actor_id'),), 'pk_attr': 'id', 'table_description': 'The filtered notifications from one sender, waiting for the recipient to accept or'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PushSubscription',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('token_id', fields.BigIntField(unique=True)),
                ('actor_id', fields.BigIntField(db_index=True)),
                ('endpoint', fields.CharField(max_length=2048)),
                ('key_p256dh', fields.CharField(max_length=128)),
                ('key_auth', fields.CharField(max_length=64)),
                ('alerts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('policy', fields.CharField(default='all', max_length=16)),
                ('standard', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'push_subscriptions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A Web Push subscription: one per OAuth access token, as on Mastodon.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Notification',
            name='filtered',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Notification',
            name='group_key',
            field=fields.CharField(null=True, max_length=96),
        ),
        ops.AddIndex(
            model_name='Notification',
            index=Index(fields=['recipient_id', 'group_key']),
        ),
    ]
