from tortoise import migrations
from tortoise.migrations import operations as ops
from fedihub.ids import new_id
from fedihub.models.meetings import MeetingStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_move')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Meeting',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('uri', fields.CharField(unique=True, max_length=768)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='meetings', on_delete=OnDelete.CASCADE)),
                ('local', fields.BooleanField(default=True)),
                ('organizer', fields.ForeignKeyField('models.Actor', source_field='organizer_id', null=True, db_constraint=True, to_field='id', related_name='organized_meetings', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=255)),
                ('description', fields.TextField(default='', unique=False)),
                ('start_time', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('end_time', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('previous_start_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=MeetingStatus.SCHEDULED, description='SCHEDULED: scheduled\nCANCELLED: cancelled', enum_type=MeetingStatus, max_length=16)),
                ('room_engine', fields.CharField(default='', max_length=16)),
                ('room_url', fields.CharField(null=True, max_length=1024)),
                ('room_secret', fields.CharField(null=True, max_length=128)),
                ('sequence', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'meetings', 'app': 'models', 'indexes': [Index(fields=['project_id', 'start_time'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingCalendar',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('actor', fields.OneToOneField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='meeting_calendar', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'meeting_calendars', 'app': 'models', 'pk_attr': 'id', 'table_description': "A local user's calendar feed: whoever holds the token reads her meetings (reset it to"},
            bases=['Model'],
        ),
    ]
