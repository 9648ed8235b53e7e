from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from fedihub.ids import new_id
from fedihub.models.projects import InvitationState, JoinState, ProjectRole, ProjectVisibility
from fedihub.models.tasks import TaskStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_polls_and_pins')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Project',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('actor', fields.OneToOneField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='project', on_delete=OnDelete.CASCADE)),
                ('local', fields.BooleanField(default=True)),
                ('name', fields.CharField(max_length=255)),
                ('description', fields.TextField(default='', unique=False)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('visibility', fields.CharEnumField(default=ProjectVisibility.PUBLIC, description='PUBLIC: public\nMEMBERS: members', enum_type=ProjectVisibility, max_length=16)),
                ('start_date', fields.DateField(null=True)),
                ('end_date', fields.DateField(null=True)),
                ('repositories', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('members_url', fields.CharField(null=True, max_length=768)),
                ('private_key_sealed', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'projects', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProjectInvitation',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('uri', fields.CharField(unique=True, max_length=768)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('invitee', fields.ForeignKeyField('models.Actor', source_field='invitee_id', db_constraint=True, to_field='id', related_name='project_invitations', on_delete=OnDelete.CASCADE)),
                ('inviter', fields.ForeignKeyField('models.Actor', source_field='inviter_id', db_constraint=True, to_field='id', related_name='project_invitations_sent', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(default=ProjectRole.MEMBER, description='OWNER: owner\nMAINTAINER: maintainer\nMEMBER: member', enum_type=ProjectRole, max_length=16)),
                ('message', fields.TextField(default='', unique=False)),
                ('state', fields.CharEnumField(default=InvitationState.PENDING, description='PENDING: pending\nACCEPTED: accepted\nREJECTED: rejected\nWITHDRAWN: withdrawn\nEXPIRED: expired', enum_type=InvitationState, max_length=16)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'project_invitations', 'app': 'models', 'indexes': [Index(fields=['invitee_id', 'state']), Index(fields=['project_id', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProjectJoinRequest',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('uri', fields.CharField(null=True, unique=True, max_length=768)),
                ('kind', fields.CharField(default='Join', max_length=16)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='join_requests', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='project_join_requests', on_delete=OnDelete.CASCADE)),
                ('message', fields.TextField(default='', unique=False)),
                ('state', fields.CharEnumField(default=JoinState.PENDING, description='PENDING: pending\nACCEPTED: accepted\nREJECTED: rejected', enum_type=JoinState, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'project_join_requests', 'app': 'models', 'unique_together': (('project', 'actor'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProjectMember',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', db_constraint=True, to_field='id', related_name='project_memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(default=ProjectRole.MEMBER, description='OWNER: owner\nMAINTAINER: maintainer\nMEMBER: member', enum_type=ProjectRole, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'project_members', 'app': 'models', 'unique_together': (('project', 'actor'),), 'indexes': [Index(fields=['actor_id', 'project_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProjectTask',
            fields=[
                ('id', fields.BigIntField(primary_key=True, generated=False, default=new_id, unique=True, db_index=True)),
                ('uri', fields.CharField(unique=True, max_length=768)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=255)),
                ('description', fields.TextField(default='', unique=False)),
                ('assignee', fields.ForeignKeyField('models.Actor', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='assigned_tasks', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=TaskStatus.OPEN, description='OPEN: open\nIN_PROGRESS: in_progress\nDONE: done', enum_type=TaskStatus, max_length=16)),
                ('due', fields.DateField(null=True)),
                ('depends_on', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('progress', fields.IntField(default=0)),
                ('created_by', fields.ForeignKeyField('models.Actor', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='created_tasks', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'project_tasks', 'app': 'models', 'indexes': [Index(fields=['project_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Status',
            name='audience_uri',
            field=fields.CharField(null=True, db_index=True, max_length=768),
        ),
    ]
