"""tortoise models only: plain data with no HTTP, no ActivityStreams JSON, no Quart.

Imports nothing of fedihub but `ids`. One module per aggregate; this package's face lists them all.
"""

from fedihub.models.actors import Actor, Block, Follow, FollowState, InviteCode, NodeSetting, User
from fedihub.models.columns import column
from fedihub.models.discovery import (
    ArticleSuggestion,
    DirectoryEntry,
    DirectoryPeer,
    DirectoryTerm,
    Suggestion,
    SuggestionDismissal,
)
from fedihub.models.followed_tags import FollowedTag
from fedihub.models.jobs import Host, Job, JobState, OutboxActivity
from fedihub.models.knowledge import Article, ArticleReads, ArticleVersion, TrendingArticle
from fedihub.models.lists import List, ListAccount, RepliesPolicy
from fedihub.models.media import Bookmark, Marker, MediaAttachment, MediaProcessing, Mute
from fedihub.models.meetings import Meeting, MeetingCalendar, MeetingStatus
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
from fedihub.models.notifications import (
    ConversationMute,
    NotificationPermission,
    NotificationPolicy,
    NotificationRequest,
    PushSubscription,
)
from fedihub.models.oauth import OAuthApp, OAuthCode, OAuthToken
from fedihub.models.polls import Pin, Poll, PollVote
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
from fedihub.models.rights import (
    AccountArchive,
    DataImport,
    RecoveryCode,
    TransferState,
    TwoFactor,
    WebSession,
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
from fedihub.models.tasks import ProjectDataset, ProjectTask, TaskStatus
from fedihub.models.trends import TrendingStatus, TrendingTag

__all__ = [
    "AccountArchive",
    "DataImport",
    "RecoveryCode",
    "TransferState",
    "TwoFactor",
    "WebSession",
    "PushSubscription",
    "NotificationRequest",
    "NotificationPolicy",
    "NotificationPermission",
    "ConversationMute",
    "column",
    "AccountModeration",
    "AuditEntry",
    "Actor",
    "Article",
    "ArticleReads",
    "ArticleVersion",
    "ArticleSuggestion",
    "Block",
    "Bookmark",
    "DirectoryEntry",
    "DirectoryPeer",
    "DirectoryTerm",
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
    "InvitationState",
    "JoinState",
    "Job",
    "JobState",
    "List",
    "ListAccount",
    "Marker",
    "Meeting",
    "MeetingCalendar",
    "MeetingStatus",
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
    "Pin",
    "Poll",
    "PollVote",
    "Project",
    "ProjectInvitation",
    "ProjectJoinRequest",
    "ProjectMember",
    "ProjectRole",
    "ProjectDataset",
    "ProjectTask",
    "ProjectVisibility",
    "RepliesPolicy",
    "Report",
    "ReportCategory",
    "ScheduledStatus",
    "Severity",
    "StaffRole",
    "Status",
    "StatusEdit",
    "StatusTag",
    "Suggestion",
    "SuggestionDismissal",
    "TrendingArticle",
    "TaskStatus",
    "TrendingStatus",
    "TrendingTag",
    "User",
    "UserDomainBlock",
    "Visibility",
]
