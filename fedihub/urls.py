"""Where the node's own things live: one place that builds every local URL (Mastodon's layout).

Imports nothing of fedihub; takes the node's base URL (scheme://domain).
"""

from __future__ import annotations


class NodeUrls:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    @property
    def domain(self) -> str:
        return self.base.split("://", 1)[1]

    # the instance actor and node-wide endpoints
    @property
    def instance_actor(self) -> str:
        return f"{self.base}/actor"

    @property
    def instance_key_id(self) -> str:
        return f"{self.base}/actor#main-key"

    @property
    def shared_inbox(self) -> str:
        return f"{self.base}/inbox"

    # local actors
    def actor(self, username: str) -> str:
        return f"{self.base}/users/{username}"

    def key_id(self, username: str) -> str:
        return f"{self.actor(username)}#main-key"

    def inbox(self, username: str) -> str:
        return f"{self.actor(username)}/inbox"

    def outbox(self, username: str) -> str:
        return f"{self.actor(username)}/outbox"

    def followers(self, username: str) -> str:
        return f"{self.actor(username)}/followers"

    def following(self, username: str) -> str:
        return f"{self.actor(username)}/following"

    def featured(self, username: str) -> str:
        return f"{self.actor(username)}/collections/featured"

    def profile(self, username: str) -> str:
        return f"{self.base}/@{username}"

    # local objects and activities
    def status(self, username: str, status_id: int) -> str:
        return f"{self.actor(username)}/statuses/{status_id}"

    def status_page(self, username: str, status_id: int) -> str:
        return f"{self.profile(username)}/{status_id}"

    def activity(self, username: str, activity_id: int) -> str:
        return f"{self.actor(username)}/activities/{activity_id}"

    def tag(self, name: str) -> str:
        return f"{self.base}/tags/{name}"

    def media(self, path: str) -> str:
        return f"{self.base}/media/{path}"

    # projects: Group actors (their handles share the local actors' namespace)
    def project(self, handle: str) -> str:
        return f"{self.base}/projects/{handle}"

    def project_key_id(self, handle: str) -> str:
        return f"{self.project(handle)}#main-key"

    def project_inbox(self, handle: str) -> str:
        return f"{self.project(handle)}/inbox"

    def project_outbox(self, handle: str) -> str:
        return f"{self.project(handle)}/outbox"

    def project_followers(self, handle: str) -> str:
        return f"{self.project(handle)}/followers"

    def project_members(self, handle: str) -> str:
        return f"{self.project(handle)}/members"

    def project_activity(self, handle: str, kind: str, activity_id: int) -> str:
        return f"{self.project(handle)}/activities/{kind.lower()}/{activity_id}"
