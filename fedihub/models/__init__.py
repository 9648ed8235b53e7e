"""tortoise models only: plain data with no HTTP, no ActivityStreams JSON, no Quart.

Imports nothing of fedihub but `ids`. One module per aggregate; this package's face lists them all.
"""

from fedihub.models.actors import Actor, Block, Follow, FollowState, InviteCode, NodeSetting, User
from fedihub.models.columns import column
from fedihub.models.followed_tags import FollowedTag
from fedihub.models.jobs import Host, Job, JobState, OutboxActivity
from fedihub.models.lists import List, ListAccount, RepliesPolicy
from fedihub.models.media import Bookmark, Marker, MediaAttachment, MediaProcessing, Mute
from fedihub.models.oauth import OAuthApp, OAuthCode, OAuthToken
from fedihub.models.projects import (
    InvitationState,
    JoinState,
    Project,
    ProjectInvitation,
    ProjectJoinRequest,
    ProjectMember,
    ProjectRole,
    ProjectVisibility,
)
from fedihub.models.scheduled import ScheduledStatus
from fedihub.models.statuses import (
    Favourite,
    Mention,
    Notification,
    Status,
    StatusEdit,
    StatusTag,
    Visibility,
)
from fedihub.models.tasks import ProjectTask, TaskStatus
from fedihub.models.trends import TrendingStatus, TrendingTag

__all__ = [
    "column",
    "Actor",
    "Block",
    "Bookmark",
    "Favourite",
    "Follow",
    "FollowedTag",
    "FollowState",
    "Host",
    "InviteCode",
    "InvitationState",
    "JoinState",
    "Job",
    "JobState",
    "List",
    "ListAccount",
    "Marker",
    "MediaAttachment",
    "MediaProcessing",
    "Mention",
    "Mute",
    "NodeSetting",
    "Notification",
    "OAuthApp",
    "OAuthCode",
    "OAuthToken",
    "OutboxActivity",
    "Project",
    "ProjectInvitation",
    "ProjectJoinRequest",
    "ProjectMember",
    "ProjectRole",
    "ProjectTask",
    "ProjectVisibility",
    "RepliesPolicy",
    "ScheduledStatus",
    "Status",
    "StatusEdit",
    "StatusTag",
    "TaskStatus",
    "TrendingStatus",
    "TrendingTag",
    "User",
    "Visibility",
]
