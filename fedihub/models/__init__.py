"""tortoise models only: plain data with no HTTP, no ActivityStreams JSON, no Quart.

Imports nothing of fedihub but `ids`. One module per aggregate; this package's face lists them all.
"""

from fedihub.models.actors import Actor, Block, Follow, FollowState, InviteCode, NodeSetting, User
from fedihub.models.jobs import Host, Job, JobState, OutboxActivity
from fedihub.models.statuses import (
    Favourite,
    Mention,
    Notification,
    Status,
    StatusEdit,
    StatusTag,
    Visibility,
)

__all__ = [
    "Actor",
    "Block",
    "Favourite",
    "Follow",
    "FollowState",
    "Host",
    "InviteCode",
    "Job",
    "JobState",
    "Mention",
    "NodeSetting",
    "Notification",
    "OutboxActivity",
    "Status",
    "StatusEdit",
    "StatusTag",
    "User",
    "Visibility",
]
