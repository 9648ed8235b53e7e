"""Meetings of projects: an FEP-8a8e `Event` owned by the project's Group. On the project's node
the row is the truth (and holds the room); on a member's node it mirrors what the Group sent.
Each local user's private calendar feed is named by a secret token."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id
from fedihub.models.actors import Actor
from fedihub.models.projects import Project


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Meeting(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    uri = fields.CharField(max_length=768, unique=True)  # the Event's id
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="meetings", on_delete=fields.CASCADE
    )
    local = fields.BooleanField(default=True)  # hosted here (the project is local)
    organizer: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="organized_meetings", null=True, on_delete=fields.SET_NULL
    )
    title = fields.CharField(max_length=255)
    description = fields.TextField(default="")  # plain text
    start_time = fields.DatetimeField()
    end_time = fields.DatetimeField()
    timezone = fields.CharField(max_length=64, default="UTC")  # an IANA name
    previous_start_time = fields.DatetimeField(null=True)
    status = fields.CharEnumField(MeetingStatus, max_length=16, default=MeetingStatus.SCHEDULED)
    # the room on the admin's video engine: a bearer secret, shown to members only
    room_engine = fields.CharField(max_length=16, default="")  # jitsi, bbb or "" (no room)
    room_url = fields.CharField(max_length=1024, null=True)
    room_secret = fields.CharField(max_length=128, null=True)  # BigBlueButton meetingID (local)
    sequence = fields.IntField(default=0)  # iCalendar SEQUENCE: one more per change
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    project_id: int
    organizer_id: int | None

    class Meta:
        table = "meetings"
        indexes = (("project_id", "start_time"),)


class MeetingCalendar(Model):
    """A local user's calendar feed: whoever holds the token reads her meetings (reset it to
    revoke every copy of the old URL)."""

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="meeting_calendar", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    actor_id: int

    class Meta:
        table = "meeting_calendars"
