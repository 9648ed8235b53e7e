"""Durable background work: job rows claimed with leases, activities kept for delivery, peer
hosts."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from fedihub.ids import new_id


class JobState(StrEnum):
    PENDING = "pending"  # waiting for run_at
    RUNNING = "running"  # claimed; lease until locked_until
    DONE = "done"
    DEAD = "dead"  # gave up after max_attempts, or a permanent error


class Job(Model):
    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    kind = fields.CharField(max_length=32)
    payload: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    # a second enqueue with the same key is a no-op: inbox activity ids,
    # (activity, inbox) deliveries
    dedupe_key = fields.CharField(max_length=900, null=True, unique=True)
    state = fields.CharEnumField(JobState, max_length=16, default=JobState.PENDING)
    # epoch milliseconds: compared in the claim query's raw SQL on both databases alike
    run_at = fields.BigIntField()
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=16)
    locked_by = fields.CharField(max_length=128, null=True)
    locked_until = fields.BigIntField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "jobs"
        indexes = (("state", "run_at"), ("kind", "state"))


class OutboxActivity(Model):
    # An activity a local actor sent: its JSON is stored once, delivery jobs point at it.

    id = fields.BigIntField(primary_key=True, generated=False, default=new_id)
    uri = fields.CharField(max_length=768, unique=True)
    actor_id = fields.BigIntField()
    body = fields.TextField()  # the exact JSON that is signed and delivered
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox_activities"


class Host(Model):
    # A peer server, as seen by deliveries: failing hosts are skipped until they answer again.

    domain = fields.CharField(max_length=255, primary_key=True)
    failure_count = fields.IntField(default=0)
    first_failure_at = fields.DatetimeField(null=True)
    last_failure_at = fields.DatetimeField(null=True)
    last_success_at = fields.DatetimeField(null=True)
    unavailable = fields.BooleanField(default=False)
    accepts_rfc9421 = fields.BooleanField(null=True)

    class Meta:
        table = "hosts"
