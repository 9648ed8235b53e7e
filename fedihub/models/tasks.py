"""Tasks of projects: ForgeFed `Ticket`s hosted on the project's node (the truth), mirrored on
members' nodes from the project's Create/Update."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id
from fedihub.models.actors import Actor
from fedihub.models.projects import Project


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ProjectTask(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    uri = fields.CharField(max_length=768, unique=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="tasks", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=255)
    description = fields.TextField(default="")
    assignee: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="assigned_tasks", null=True, on_delete=fields.SET_NULL
    )
    status = fields.CharEnumField(TaskStatus, max_length=16, default=TaskStatus.OPEN)
    due = fields.DateField(null=True)
    # ids of tasks of the same project this one waits for
    depends_on: fields.Field[list[int]] = fields.JSONField(default=list)
    progress = fields.IntField(default=0)  # 0-100
    created_by: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="created_tasks", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    done_at = fields.DatetimeField(null=True)

    project_id: int
    assignee_id: int | None
    created_by_id: int | None

    class Meta:
        table = "project_tasks"
        indexes = (("project_id", "status"),)


class ProjectDataset(Model):
    # A project's shared data set: an AS2 Document (name, description, url, mediaType, size,
    # FEP-1311 digestMultibase) hosted on the project's node, mirrored on members' nodes.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    uri = fields.CharField(max_length=768, unique=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="datasets", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)
    description = fields.TextField(default="")
    url = fields.CharField(max_length=768)
    media_type = fields.CharField(max_length=128, null=True)
    size = fields.BigIntField(null=True)
    digest_multibase = fields.CharField(max_length=128, null=True)
    media_id = fields.BigIntField(null=True)  # an upload of this node, when it is the file
    created_by: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="created_datasets", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    project_id: int
    created_by_id: int | None

    class Meta:
        table = "project_datasets"
