"""tortoise models only: plain data with no HTTP, no ActivityStreams JSON, no Quart.

Imports nothing of fedihub but `ids`. One module per aggregate; this package's face lists them all.
"""

from fedihub.models.actors import Actor, Block, Follow, FollowState, InviteCode, NodeSetting, User
from fedihub.models.columns import column
from fedihub.models.followed_tags import FollowedTag
from fedihub.models.jobs import Host, Job, JobState, OutboxActivity
from fedihub.models.lists import List, ListAccount, RepliesPolicy
from fedihub.models.media import Bookmark, Marker, MediaAttachment, MediaProcessing, Mute
from fedihub.models.moderation import (
    AccountModeration,
    AuditEntry,
    DomainAllow,
    DomainBlock,
    Filter,
    FilterAction,
    FilterKeyword,
    FilterStatus,
    Report,
    ReportCategory,
    Severity,
    StaffRole,
    UserDomainBlock,
)
from fedihub.models.oauth import OAuthApp, OAuthCode, OAuthToken
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
from fedihub.models.trends import TrendingStatus, TrendingTag

__all__ = [
    "column",
    "AccountModeration",
    "AuditEntry",
    "Actor",
    "Block",
    "Bookmark",
    "DomainAllow",
    "DomainBlock",
    "Favourite",
    "Filter",
    "FilterAction",
    "FilterKeyword",
    "FilterStatus",
    "Follow",
    "FollowedTag",
    "FollowState",
    "Host",
    "InviteCode",
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
    "RepliesPolicy",
    "Report",
    "ReportCategory",
    "ScheduledStatus",
    "Severity",
    "StaffRole",
    "Status",
    "StatusEdit",
    "StatusTag",
    "TrendingStatus",
    "TrendingTag",
    "User",
    "UserDomainBlock",
    "Visibility",
]
