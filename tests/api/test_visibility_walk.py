"""Every route, ActivityPub endpoint, page and stream shows each status to exactly its audience.

One world (visibility_world.py: a status of each level with a reply, an answer, boosts made by
users, by an attacker's Announce and planted as a bug stored them, notifications, conversations,
favourites, bookmarks, a draft) is built once per backend and read as the author, a follower, a
mentioned account, an outsider and anonymously: through every API route (lists, each status and
its sub-routes, every action on it), every ActivityPub document (signed by remote actors in the
same roles, or unsigned), every page (signed in or not) and every stream (WebSocket and SSE).
Each response is searched for the statuses' markers: one the reader may not see is a leak; at the
end each marker must have reached exactly its audience, and each status's own routes must show it
to every reader allowed and to nobody else.

ROUTES names every endpoint of the app's url_map, with how it is walked or why it never shows a
status: a new route that nobody added here fails test_the_walk_names_every_route, and a route
said to be walked that the walk never requested fails the walk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections import defaultdict
from typing import Any

from apikit import PASSWORD, bearer
from visibility_world import (
    ARTICLE_AUDIENCE,
    ARTICLE_FEDERATED,
    END,
    LOCAL,
    ROLES,
    TAG,
    Shown,
    World,
    people,
    signed_get,
    statuses,
)

from fedihub import events, models
from fedihub.api import streaming
from fedihub.projects import groups
from fedihub.security.api_budget import MemoryApiLimiter
from fedihub.web.common import RUNTIME_KEY

AS = "application/activity+json"
TIMEOUT_S = 20.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_NEXT = re.compile(r'<([^>]+)>; rel="next"')
_OLDER = re.compile(r'<a href="([^"]+)" rel="next">')

# a marker each role's streams must carry: its own, a follower's, a mention's, a followed tag's
STREAMED = {
    "author": "MARKdirectR",
    "follower": "MARKprivateS",
    "mentioned": "MARKdirectS",
    "outsider": "MARKpublicS",
    "anonymous": "MARKpublicR",
}
WALKED = {
    # Mastodon API: lists of statuses, read page by page
    "api_timelines.home": "reads",
    "api_timelines.public": "reads",
    "api_timelines.tag": "reads",
    "api_timelines.list_timeline": "reads",
    "api_timelines.direct": "reads",
    "api_timelines.account_statuses": "reads",
    "api_timelines.favourites": "reads",
    "api_timelines.bookmarks": "reads",
    "api_notifications.index": "reads",
    "api_notifications.show": "reads",
    "api_grouped_notifications.index": "reads",
    "api_grouped_notifications.show": "reads",
    "api_notification_requests.index": "reads",
    "api_notification_requests.show": "reads",
    "api_conversations.index": "reads",
    "api_search.search": "reads",
    "api_trends.statuses": "reads",
    "api_scheduled_statuses.index": "reads",
    "api_project_feed.index": "reads (every status of the world put in a project)",
    "api_scheduled_statuses.show": "reads",
    # one status and its sub-routes
    "api_statuses.show": "shows",
    "api_statuses.context": "shows",
    "api_statuses.history": "shows",
    "api_statuses.source": "shows",
    "api_statuses.favourited_by": "shows",
    "api_statuses.reblogged_by": "shows",
    "api_polls.show": "shows (the poll of each status that asks one)",
    # actions on a status, which answer with it
    "api_statuses.favourite": "acts",
    "api_statuses.unfavourite": "acts",
    "api_statuses.reblog": "acts",
    "api_statuses.unreblog": "acts",
    "api_statuses.bookmark": "acts",
    "api_statuses.unbookmark": "acts",
    "api_status_mutes.mute": "acts",
    "api_status_mutes.unmute": "acts",
    "api_polls.vote": "acts (a vote on its poll)",
    "api_statuses.pin": "acts",
    "api_statuses.unpin": "acts",
    "api_statuses.create": "acts (a reply to it)",
    "api_statuses.edit": "acts",
    "api_statuses.destroy": "acts",
    "api_conversations.read": "acts",
    "api_scheduled_statuses.update": "acts",
    "api_scheduled_statuses.destroy": "acts",
    # knowledge posts (fedihub API)
    "api_articles.index": "articles",
    "api_articles.show": "articles",
    "api_articles.version_list": "articles",
    "api_articles.version_show": "articles",
    "api_articles.export": "articles",
    "api_articles.trends": "articles",
    "api_suggestions.article_suggestions": "articles (what to read, computed for each role)",
    "api_articles.create": "articles (acts: never on another's post)",
    "api_articles.update": "articles (acts)",
    "api_articles.destroy": "articles (acts)",
    "api_articles.publish": "articles (acts)",
    # knowledge post pages, and a post's FEP-bad1 history over ActivityPub
    "knowledge.index": "pages (knowledge)",
    "knowledge.show": "pages (knowledge)",
    "knowledge.version_list": "pages (knowledge)",
    "knowledge.version_show": "pages (knowledge)",
    "knowledge.edit": "pages (knowledge: the editor, its author's alone)",
    "knowledge.history": "activitypub (knowledge)",
    "knowledge.old_version": "activitypub (knowledge)",
    # pages
    "pages.home": "pages",
    "timeline_pages.home": "pages",
    "timeline_pages.local": "pages",
    "timeline_pages.federated": "pages",
    "timeline_pages.tag": "pages",
    "timeline_pages.favourites": "pages",
    "timeline_pages.bookmarks": "pages",
    "timeline_pages.list_timeline": "pages",
    "status_pages.show": "pages",
    "member_pages.notifications": "pages",
    "member_pages.conversations_page": "pages",
    "search_pages.index": "pages",
    "federation.profile": "pages and ActivityPub (content negotiation)",
    "federation.status_page": "pages and ActivityPub (content negotiation)",
    # ActivityPub
    "federation.actor": "activitypub",
    "federation.outbox": "activitypub",
    "federation.featured": "activitypub",
    "federation.followers": "activitypub",
    "federation.following": "activitypub",
    "federation.status_object": "activitypub",
    "federation.status_activity": "activitypub",
    # streams
    "api_streaming.ws": "streams",
    "api_streaming.sse_by_path": "streams",
    "api_streaming.sse_by_parameter": "streams",
}
NEVER = {
    "api_accounts.": "accounts and relationships, never a status",
    "api_blocks.": "blocked and muted accounts",
    "api_follow_requests.": "accounts asking to follow",
    "api_instance.": "the node's description, rules, counts and default images",
    "api_instance_domain_blocks.": "the public list of moderated servers (domain names only)",
    "api_admin_domains.": "domain blocks and allows (admins only; domain names)",
    "api_admin_accounts.": "accounts as moderators see them (admins and moderators only)",
    "api_admin_reports.": "reports, staff only; their statuses rendered by visibility.py for the "
    "moderator asking, as any list is",
    "api_admin_audit.": "the audit log (admins only): who did what to which account or domain",
    "api_domain_blocks.": "the names of the servers the user hides",
    "api_filters.": "the user's own filters (status ids, never their content)",
    "api_reports.": "answers the Report filed (ids of statuses, never their content)",
    "api_lists.": "lists and their member accounts (list timelines are api_timelines)",
    "api_markers.": "read positions (ids only)",
    "api_media.": "the uploader's own attachments (api/media checks the owner)",
    "api_not_yet.": "features not offered yet: empty lists",
    "api_oauth.": "applications, authorization and tokens",
    "api_preferences.": "the user's settings",
    "api_push.": "the token's Web Push subscription (an endpoint, alerts, a key)",
    "api_tags.": "hashtags and whether they are followed",
    "api_trends.tags": "trending hashtags (names and counts)",
    "api_directory.": "people in the expertise directory: profiles, never statuses",
    "api_suggestions.suggestions_v2": "accounts suggested to follow: never statuses",
    "api_suggestions.suggestions_v1": "accounts suggested to follow: never statuses",
    "api_suggestions.dismiss": "dismisses an account suggestion: never statuses",
    "api_suggestions.explained_suggestions": "accounts to follow with reasons: never statuses",
    "api_notifications.dismiss": "answers {}",
    "api_notifications.clear": "answers {}",
    "api_notifications.unread_count": "a count",
    "api_grouped_notifications.unread_count": "a count",
    "api_grouped_notifications.accounts": "the accounts of a notification group",
    "api_grouped_notifications.dismiss": "answers {}",
    "api_notification_requests.show_policy": "the user's notification policy (counts)",
    "api_notification_requests.change_policy": "the user's notification policy (counts)",
    "api_notification_requests.merged": "answers whether requests are merged",
    "api_notification_requests.show_v1_policy": "the user's notification policy (counts)",
    "api_notification_requests.change_v1_policy": "the user's notification policy (counts)",
    "api_notification_requests.accept": "answers {}",
    "api_notification_requests.dismiss": "answers {}",
    "api_notification_requests.accept_many": "answers {}",
    "api_notification_requests.dismiss_many": "answers {}",
    "api_conversations.hide": "answers {}",
    "api_streaming.health": "answers OK",
    "auth.": "sign-in and sign-up forms",
    "language.switch": "the language switch: a redirect",
    "status_pages.create": "the composer's form: a redirect (the status is walked where it shows)",
    "status_pages.act": "forms on a status (interactions.py checks visibility): a redirect",
    "account_pages.": "follow, block and remote-follow forms: redirects",
    "member_pages.list_index": "the reader's lists and followed hashtags (names only)",
    "member_pages.list_create": "a form: a redirect",
    "member_pages.list_delete": "a form: a redirect",
    "member_pages.list_members": "a form: a redirect",
    "member_pages.tag_follow": "a form: a redirect",
    "settings_pages.": "the signed-in user's own settings forms",
    "account_settings.": "account settings, blocks and mutes, apps, exports (no status text)",
    "sign_in_settings.": "two-factor sign-in and the browsers signed in (no status text)",
    "data_pages.": "imports, and the archive of the account's own posts, for its owner only",
    "admin_pages.": "users, node settings, invitation codes, hosts and jobs (no status text)",
    "health.": "liveness",
    "inbox.": "inbox POSTs answer 202 and an outcome",
    "media.": "stored files (their names are the media's business)",
    "static_files.": "the node's own stylesheet and script",
    "metrics": "counters",
    "wellknown.": "WebFinger, host-meta, NodeInfo",
    "federation.instance_actor": "the node's own actor: a key and inbox",
    "federation.instance_actor_outbox": "always empty",
    "api_openapi.": "the API's description",
    "api_projects.": "projects, their members and join requests (accounts, never statuses)",
    "api_project_feed.create": "posts as a member; answers the poster's own new status",
    "api_project_tasks.": "a project's tasks and progress figures (titles, states, accounts)",
    # a task's comments are statuses, but only posts whose audience is the project and that answer
    # its Ticket (none of the world's), each rendered through visibility.visible
    "api_project_tasks.comments": "a task's comments: project posts only, none of the world's",
    "api_project_tasks.comment": "comments as a member; answers the poster's own new status",
    "api_project_datasets.": "a project's data sets (names, URLs, file metadata, accounts)",
    "api_project_invitations.": "invitations: a project, two accounts, a role and a state",
    "projects.index": "the list of projects (names, tags, counts)",
    "projects.project": "a project's Group actor document or page (fields and members)",
    "projects.project_inbox": "inbox POSTs answer 202 and an outcome",
    "projects.followers": "the Group's followers (actor ids)",
    "projects.members_collection": "the Group's members (Member objects: actor ids and roles)",
    # the Group posts only direct notices (projects/notices.py), which collections.outbox (the
    # same function and rules as federation.outbox, walked) never lists
    "projects.outbox": "the Group's outbox: federation.outbox's rules, direct notices only",
    "knowledge.new": "an empty editor",
    "knowledge.create": "a form POST answering a redirect (or the editor with the author's input)",
    "knowledge.save": "a form POST on one's own post (own_article refuses others: 404/403)",
    "knowledge.preview": "renders the Markdown its caller sent",
    "member_pages.conversation_page": "marks one's own conversation read: a redirect to its thread",
    "live.": "the reader's own streams: that something arrived, never what",
    "api_moves.": "aliases and moving the account: accounts, never statuses",
    "migration_pages.": "moving and deleting one's own account: forms, never statuses",
    "api_meetings.": "meetings of the reader's projects: titles, times, rooms (never statuses)",
    "meetings.": "a meeting's Event (members and their nodes), a calendar at its secret URL, the "
    "BigBlueButton door: never statuses",
    "project_forms.": "project forms and the invitee's invitations: forms and redirects",
    # a task's page shows its comments: project posts answering its Ticket only, each rendered
    # through visibility.visible, as api_project_tasks.comments
    "project_task_pages.": "a task's page and forms (titles, states, the project's own comments)",
}


def _never(endpoint: str) -> bool:
    return any(endpoint == k or (k.endswith(".") and endpoint.startswith(k)) for k in NEVER)


def _endpoints(app: Any) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()}


async def test_the_walk_names_every_route(app: Any) -> None:
    unnamed = sorted(e for e in _endpoints(app) if e not in WALKED and not _never(e))
    assert not unnamed, f"routes missing from the visibility walk's table: {unnamed}"
    both = sorted(e for e in WALKED if _never(e))
    assert not both, f"routes both walked and said never to show a status: {both}"
    stale = sorted(e for e in WALKED if e not in _endpoints(app))
    assert not stale, f"walked routes that no longer exist: {stale}"


class Walk:
    """Requests as each role, every response searched for markers."""

    def __init__(self, client: Any, world: World) -> None:
        self.client = client
        self.world = world
        self.leaks: list[str] = []
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.seen_federated: dict[str, set[str]] = defaultdict(set)
        self.hit: set[str] = set()
        self.adapter = client.app.url_map.bind("fedihub.test")
        self.pages: dict[str, Any] = {}

    def note_endpoint(self, method: str, path: str, *, websocket: bool = False) -> None:
        endpoint, _ = self.adapter.match(path.split("?")[0], method, websocket=websocket)
        self.hit.add(endpoint)

    def check(self, role: str, where: str, text: str, *, federated: bool = False) -> set[str]:
        """The markers in `text`; a leak is recorded for those `role` may not see."""
        found = self.world.markers_in(text)
        if federated:
            allowed = self.world.federated_allowed(role)
            for marker in found:
                self.seen_federated[marker].add(role)
        else:
            allowed = self.world.allowed(role)
            for marker in found:
                self.seen[marker].add(role)
        leaked = found - allowed
        if leaked:
            self.leaks.append(f"{where} as {role}: {sorted(leaked)}")
        return found

    async def api(self, role: str, method: str, path: str, **body: Any) -> tuple[int, set[str]]:
        """One API request as `role`; (status, markers shown)."""
        headers = bearer(self.world.tokens[role]) if role != "anonymous" else {}
        self.note_endpoint(method, path)
        response = await self.client.open(path, method=method, json=body or None, headers=headers)
        text = await response.get_data(as_text=True)
        found = self.check(role, f"{method} {path}", text)
        return response.status_code, found

    async def api_pages(self, role: str, path: str) -> None:
        """GET every page of a paged list (Link rel=next), as `role`."""
        headers = bearer(self.world.tokens[role]) if role != "anonymous" else {}
        for _ in range(6):
            self.note_endpoint("GET", path)
            response = await self.client.get(path, headers=headers)
            self.check(role, f"GET {path}", await response.get_data(as_text=True))
            found = _NEXT.search(response.headers.get("Link", ""))
            if response.status_code != 200 or found is None:
                return
            path = found.group(1).removeprefix("https://fedihub.test")

    def expect(self, role: str, where: str, shown: bool, allowed: bool) -> None:
        if shown != allowed:
            said = "not shown to" if allowed else "shown to"
            self.leaks.append(f"{where}: {said} {role}")


# ---- the Mastodon API -------------------------------------------------------------------------


def _list_paths(world: World) -> list[str]:
    ids = {role: world.users[role].actor_id for role in world.users}
    ids.update({name: actor.id for name, actor in world.remote.items()})
    paths = [
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
        "/api/v1/timelines/public?local=true",
        "/api/v1/timelines/public?remote=true",
        f"/api/v1/timelines/tag/{TAG}",
        f"/api/v1/timelines/tag/{TAG}?local=true",
        "/api/v1/timelines/direct",
        "/api/v1/favourites",
        "/api/v1/bookmarks",
        "/api/v1/notifications",
        "/api/v1/notifications?types[]=mention&types[]=reblog",
        "/api/v2/notifications",
        "/api/v2/notifications?expand_accounts=partial_avatars&grouped_types[]=favourite",
        "/api/v2/notifications?include_filtered=true",
        "/api/v1/notifications/requests",
        "/api/v1/conversations",
        "/api/v2/search?q=hush",
        "/api/v2/search?q=hush&type=statuses",
        "/api/v1/trends/statuses",
        "/api/v1/scheduled_statuses",
        f"/api/v1/scheduled_statuses/{world.scheduled}",
    ]
    paths += [f"/api/v1/timelines/list/{list_id}" for list_id in world.lists.values()]
    for actor_id in ids.values():
        paths.append(f"/api/v1/accounts/{actor_id}/statuses")
    author = ids["author"]
    for query in ("exclude_replies=true", "exclude_reblogs=true", f"tagged={TAG}", "pinned=true"):
        paths.append(f"/api/v1/accounts/{author}/statuses?{query}")
    return [p + ("&" if "?" in p else "?") + "limit=40" for p in paths]


async def _project_feed(walk: Walk, world: World) -> str:
    """A public project whose feed holds every status of the world (their `audience`): the feed
    must show each only to those who may see it."""
    rt = walk.client.app.extensions[RUNTIME_KEY]
    project = await groups.create(
        rt, world.actor("author"), "walkproject", groups.Fields(name="Walk")
    )
    await models.Status.filter(id__in=[s.id for s in world.shown]).update(
        audience_uri=project.actor.uri
    )
    return f"/api/fedihub/v1/projects/{project.id}/statuses"


async def _reads(walk: Walk, world: World) -> None:
    paths = _list_paths(world)
    paths.append(await _project_feed(walk, world) + "?limit=40")
    notifications = await models.Notification.all().values_list("id", flat=True)
    paths += [f"/api/v1/notifications/{i}" for i in notifications]
    keys = await models.Notification.all().values_list("id", "group_key")
    paths += [f"/api/v2/notifications/{key or f'ungrouped-{i}'}" for i, key in keys]
    requests = await models.NotificationRequest.all().values_list("id", flat=True)
    paths += [f"/api/v1/notifications/requests/{i}" for i in requests]
    for status in await models.Status.filter(id__in=[s.id for s in world.shown]):
        paths.append(f"/api/v2/search?q={status.uri}&resolve=true")
        if status.url:
            paths.append(f"/api/v2/search?q={status.url}")
    for role in ROLES:
        for path in paths:
            await walk.api_pages(role, path)


async def _shows(walk: Walk, world: World) -> None:
    for shown in [*world.shown, *(Shown(i, "", set(), "answer") for i in world.others)]:
        base = f"/api/v1/statuses/{shown.id}"
        for role in ROLES:
            code, found = await walk.api(role, "GET", base)
            if shown.marker:
                where = f"GET {base} ({shown.what} of {shown.marker})"
                allowed = role in shown.audience
                walk.expect(role, where, code == 200 and shown.marker in found, allowed)
            for sub in ("history", "context", "source", "favourited_by", "reblogged_by"):
                await walk.api(role, "GET", f"{base}/{sub}?limit=80")
            poll = world.polls.get(shown.id)
            if poll is not None:
                code, found = await walk.api(role, "GET", f"/api/v1/polls/{poll}")
                where = f"GET /api/v1/polls/{poll} ({shown.what} of {shown.marker})"
                shown_poll = code == 200 and shown.marker in found
                walk.expect(role, where, shown_poll, role in shown.audience)


async def _acts(walk: Walk, world: World) -> None:
    """Each action on each status, undone after: refused (never 200) to whoever may not see it."""
    # replies act as their statuses do, and the local booster's planted boosts as the remote one's
    targets = [s for s in world.shown if s.what != "reply" and s.owner != "booster"]
    for shown in targets:
        base = f"/api/v1/statuses/{shown.id}"
        for role in ROLES:
            allowed = role in shown.audience
            for do, undo in (
                ("favourite", "unfavourite"),
                ("bookmark", "unbookmark"),
                ("reblog", "unreblog"),
                ("mute", "unmute"),
                ("unpin", "pin"),  # the author's pinned what she may: undone, then pinned again
            ):
                code, _ = await walk.api(role, "POST", f"{base}/{do}")
                if code == 200 and not allowed:
                    walk.leaks.append(f"POST {base}/{do} ({shown.what}) accepted from {role}")
                if code == 200:
                    await walk.api(role, "POST", f"{base}/{undo}")
            poll = world.polls.get(shown.id)
            if poll is not None:
                code, _ = await walk.api(role, "POST", f"/api/v1/polls/{poll}/votes", choices=[1])
                if code == 200 and not allowed:
                    walk.leaks.append(f"a vote on the poll of {shown.marker} accepted from {role}")
            code, made = await walk.api(
                role, "POST", "/api/v1/statuses", status="a reply", in_reply_to_id=str(shown.id)
            )
            if code == 200 and not allowed:
                walk.leaks.append(f"a reply to {shown.what} {shown.marker} accepted from {role}")
            if role != shown.owner:  # one's own edits and deletions are for other tests
                for method in ("PUT", "DELETE"):
                    code, _ = await walk.api(role, method, base, status="changed")
                    if code == 200:
                        walk.leaks.append(f"{method} {base} accepted from {role}")
    scheduled = f"/api/v1/scheduled_statuses/{world.scheduled}"
    conversations = await _conversation_ids(walk, world)
    for role in ROLES:
        for conversation in conversations:
            await walk.api(role, "POST", f"/api/v1/conversations/{conversation}/read")
        if role != "author":
            await walk.api(role, "PUT", scheduled, scheduled_at="2099-01-01T00:00:00Z")
            await walk.api(role, "DELETE", scheduled)


async def _conversation_ids(walk: Walk, world: World) -> set[str]:
    ids: set[str] = set()
    for role in ("author", "mentioned"):
        response = await walk.client.get(
            "/api/v1/conversations", headers=bearer(world.tokens[role])
        )
        ids.update(c["id"] for c in await response.get_json())
    assert ids, "the world holds direct conversations"
    return ids


# ---- knowledge posts (the fedihub API) ---------------------------------------------------------


async def _articles(walk: Walk, world: World) -> None:
    """Every article route as every role: lists and searches, each post and its versions and
    exports (shown exactly to its audience), and the writes, refused on another's post."""
    lists = [
        "/api/fedihub/v1/articles",
        "/api/fedihub/v1/articles?q=hush",
        f"/api/fedihub/v1/articles?tag={TAG}",
        f"/api/fedihub/v1/articles?account={world.actor('author').id}",
        "/api/fedihub/v1/articles?domain=fedihub.test",
        "/api/fedihub/v1/trends/articles",
        "/api/fedihub/v1/suggestions/articles",
    ]
    for role in ROLES:
        for path in lists:
            await walk.api(role, "GET", path)
        for level, article_id in world.articles.items():
            base = f"/api/fedihub/v1/articles/{article_id}"
            allowed = role in ARTICLE_AUDIENCE[level]
            marker = f"MARK{level}K"
            for sub in ("", "/versions", "/versions/1", "/versions/2", "/export?format=markdown"):
                code, found = await walk.api(role, "GET", base + sub)
                where = f"GET {base}{sub} ({level} article)"
                walk.expect(role, where, code == 200 and marker in found, allowed)
            await walk.api(role, "GET", f"{base}/export?format=html")
            if role != "author":
                for method, path in (("PUT", base), ("POST", f"{base}/publish"), ("DELETE", base)):
                    code, _ = await walk.api(role, method, path, title="changed")
                    if code == 200:
                        walk.leaks.append(f"{method} {path} accepted from {role}")
    await walk.api("author", "POST", "/api/fedihub/v1/articles", title="a new hush")
    await _article_pages(walk, world)


async def _article_pages(walk: Walk, world: World) -> None:
    """The knowledge pages as each role signed in (or not), and each post's history and old
    versions over ActivityPub as each remote role (signed) or unsigned."""
    lists = ["/articles", "/articles?q=hush", f"/articles?tag={TAG}", "/articles?view=trending"]
    for role in ROLES:
        client = await _signed_in(walk.client.app, role)
        for path in lists:
            walk.note_endpoint("GET", path)
            response = await client.get(path, headers={"Accept": "text/html"})
            walk.check(role, f"page {path}", await response.get_data(as_text=True))
        for level, article_id in world.articles.items():
            marker = f"MARK{level}K"
            for sub in ("", "/versions", "/versions/2", "/edit"):
                path = f"/articles/{article_id}{sub}"
                walk.note_endpoint("GET", path)
                response = await client.get(path, headers={"Accept": "text/html"})
                found = walk.check(role, f"page {path}", await response.get_data(as_text=True))
                allowed = role in ARTICLE_AUDIENCE[level] and (sub != "/edit" or role == "author")
                walk.expect(role, f"page {path} ({level})", marker in found, allowed)
    posts = await models.Article.filter(id__in=list(world.articles.values()))
    for post in posts:
        if post.status_id is None:
            continue
        level = next(k for k, v in world.articles.items() if v == post.id)
        base = f"/users/ada/statuses/{post.status_id}"
        for role in ("follower", "mentioned", "outsider", "anonymous"):
            for path in (f"{base}/history", f"{base}/versions/1", f"{base}/versions/2"):
                walk.note_endpoint("GET", path)
                url = f"https://fedihub.test{path}"
                headers = {"Accept": AS}
                if role != "anonymous":
                    headers = signed_get(url, world.remote[role], world.key, AS)
                response = await walk.client.get(path, headers=headers)
                text = await response.get_data(as_text=True)
                found = walk.check(role, f"ActivityPub {path}", text, federated=True)
                if "/versions/" in path:
                    allowed = role in ARTICLE_FEDERATED[level]
                    walk.expect(role, f"ActivityPub {path} ({level})", bool(found), allowed)
                elif response.status_code == 200 and role not in ARTICLE_FEDERATED[level]:
                    walk.leaks.append(f"{path} served to {role}")


# ---- pages and ActivityPub --------------------------------------------------------------------


async def _signed_in(app: Any, role: str) -> Any:
    client = app.test_client()
    if role == "anonymous":
        return client
    form = await (await client.get("/auth/sign_in")).get_data(as_text=True)
    token = _CSRF.search(form)
    assert token is not None
    user = {"author": "ada", "follower": "fol", "mentioned": "men", "outsider": "out"}[role]
    answer = await client.post(
        "/auth/sign_in",
        form={"login": user, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code in (302, 303), await answer.get_data(as_text=True)
    return client


async def _pages(walk: Walk, world: World) -> None:
    names = ("ada", "fol", "men", "out", "lou")
    own = [s for s in world.shown if s.page]
    answers = await models.Status.filter(id__in=world.others).prefetch_related("actor")
    paths = ["/", *(f"/@{n}" for n in names), *(f"/users/{n}" for n in names)]
    paths += [f"/@{s.actor.username}/{s.id}" for s in answers]
    # the ActivityPub URLs of statuses answer a browser with a redirect to their page
    paths += [f"/users/ada/statuses/{s.id}" for s in own]
    # every status's thread page, and the timelines and lists of the node's pages, page by page
    every = [*(s.id for s in world.shown), *world.others]
    paths += [f"/web/statuses/{i}" for i in every]
    listed = ["/home", "/timelines/local", "/timelines/federated", f"/tags/{TAG}", "/favourites"]
    listed += [
        "/bookmarks",
        "/notifications",
        "/conversations",
        "/search?q=MARK",
        f"/search?q={TAG}",
    ]
    for role in ROLES:
        client = await _signed_in(walk.client.app, role)
        own_lists = [f"/lists/{world.lists[role]}"] if role in world.lists else []
        for path in [*paths, *(s.page for s in own)]:
            walk.note_endpoint("GET", path)
            response = await client.get(path, headers={"Accept": "text/html"})
            found = walk.check(role, f"page {path}", await response.get_data(as_text=True))
            shown = next((s for s in own if s.page == path), None)
            if shown is not None:
                walk.expect(role, f"page {path}", shown.marker in found, role in shown.audience)
        for start in [*listed, *own_lists]:
            path: str | None = start
            while path is not None:
                walk.note_endpoint("GET", path)
                response = await client.get(path, headers={"Accept": "text/html"})
                text = await response.get_data(as_text=True)
                walk.check(role, f"page {path}", text)
                older = _OLDER.search(text)
                path = older.group(1).replace("&amp;", "&") if older else None


async def _activitypub(walk: Walk, world: World) -> None:
    names = ("ada", "fol", "men", "out", "lou")
    paths = []
    for name in names:
        base = f"/users/{name}"
        paths += [base, f"/@{name}", f"{base}/outbox", f"{base}/followers", f"{base}/following"]
        paths += [f"{base}/collections/featured", f"{base}/outbox?page=true"]
    own = [s for s in world.shown if s.page and s.federated is not None]
    objects = {}
    for s in own:
        for path in (f"/users/ada/statuses/{s.id}", f"/users/ada/statuses/{s.id}/activity", s.page):
            objects[path] = s
    for role in ("follower", "mentioned", "outsider", "anonymous"):
        for path in [*paths, *objects]:
            walk.note_endpoint("GET", path)
            url = f"https://fedihub.test{path}"
            headers = {"Accept": AS}
            if role != "anonymous":
                headers = signed_get(url, world.remote[role], world.key, AS)
            response = await walk.client.get(path, headers=headers)
            text = await response.get_data(as_text=True)
            found = walk.check(role, f"ActivityPub {path}", text, federated=True)
            shown = objects.get(path)
            if shown is not None and shown.federated is not None:
                walk.expect(
                    role, f"ActivityPub {path}", shown.marker in found, role in shown.federated
                )


# ---- streams ------------------------------------------------------------------------------------


class Streams:
    """For each role, a WebSocket subscribed to every stream it may open, and SSE connections."""

    def __init__(self, walk: Walk, world: World) -> None:
        self.walk = walk
        self.world = world
        self.sockets: dict[str, tuple[Any, int]] = {}
        self.sse: list[tuple[str, Any, int]] = []
        self.heard: dict[str, set[str]] = defaultdict(set)  # markers each role's streams carried
        self.stack = contextlib.AsyncExitStack()

    def _params(self, role: str, stream: str) -> dict[str, Any]:
        params: dict[str, Any] = {"type": "subscribe", "stream": stream}
        if stream.startswith("hashtag"):
            params["tag"] = TAG
        if stream == "list" and role in self.world.lists:
            params["list"] = str(self.world.lists[role])
        return params

    async def open(self) -> None:
        client = self.walk.client
        for role in ROLES:
            query = "" if role == "anonymous" else f"?access_token={self.world.tokens[role]}"
            self.walk.note_endpoint("GET", "/api/v1/streaming", websocket=True)
            ws = await self.stack.enter_async_context(client.websocket(f"/api/v1/streaming{query}"))
            opened = 0
            for stream in streaming.STREAMS:
                if role == "anonymous" and stream in (
                    "user",
                    "user:notification",
                    "direct",
                    "list",
                ):
                    continue
                await ws.send(json.dumps(self._params(role, stream)))
                opened += 1
            # the reader answers in order: once this error is back, the subscriptions stand
            await ws.send(json.dumps({"type": "subscribe", "stream": "none"}))
            answer = json.loads(await asyncio.wait_for(ws.receive(), TIMEOUT_S))
            assert answer.get("error") == "Unknown stream type", answer
            self.sockets[role] = (ws, opened)
            if role == "anonymous":
                await self._sse(role, f"/api/v1/streaming?stream=hashtag&tag={TAG}", {})
            else:
                await self._sse(role, "/api/v1/streaming/user", bearer(self.world.tokens[role]))

    async def _sse(self, role: str, path: str, headers: dict[str, str]) -> None:
        self.walk.note_endpoint("GET", path)
        connection = await self.stack.enter_async_context(
            self.walk.client.request(path, headers=headers)
        )
        await connection.send_complete()
        self.sse.append((role, connection, 1))

    async def end(self) -> None:
        """Send the closing event to every channel, and read each connection up to it."""
        channels = ["public", "public:local", "public:remote", f"hashtag:{TAG}"]
        channels.append(f"hashtag:local:{TAG}")
        for role in LOCAL:
            actor_id = self.world.users[role].actor_id
            channels += [f"user:{actor_id}", f"user:notification:{actor_id}"]
            channels += [f"direct:{actor_id}", f"list:{self.world.lists[role]}"]
        rt = self.walk.client.app.extensions[RUNTIME_KEY]
        await events.publish_many(
            rt.bus, [{"channel": c, "event": END, "payload": END} for c in channels]
        )
        for role, (ws, opened) in self.sockets.items():
            ended = 0
            while ended < opened:
                message = json.loads(await asyncio.wait_for(ws.receive(), TIMEOUT_S))
                if message.get("event") == END:
                    ended += 1
                else:
                    where = f"stream {message.get('stream')}"
                    self.heard[role] |= self.walk.check(role, where, str(message))
        for role, connection, opened in self.sse:
            text = ""
            while text.count(f"event: {END}") < opened:
                chunk = await asyncio.wait_for(connection.receive(), TIMEOUT_S)
                text += chunk.decode()
            self.heard[role] |= self.walk.check(role, "server-sent events", text)
            await connection.disconnect()
        await self.stack.aclose()


# ---- the walk ---------------------------------------------------------------------------------


async def test_every_route_shows_each_status_to_exactly_its_audience(client: Any) -> None:
    client.app.extensions[RUNTIME_KEY].api_limiter = MemoryApiLimiter(limit=10**9)
    world = await people(client)
    walk = Walk(client, world)
    streams = Streams(walk, world)
    await streams.open()
    await statuses(client, world)
    await streams.end()
    await _reads(walk, world)
    await _shows(walk, world)
    await _pages(walk, world)
    await _activitypub(walk, world)
    await _articles(walk, world)
    reached = {m: set(roles) for m, roles in walk.seen.items()}
    reached_federated = {m: set(roles) for m, roles in walk.seen_federated.items()}
    await _acts(walk, world)

    assert not walk.leaks, "\n".join(walk.leaks)
    # the streams carried what each reader may see (an empty stream would prove nothing)
    for role, marker in STREAMED.items():
        assert marker in streams.heard[role], (role, marker, streams.heard[role])
    for marker, audience in world.markers.items():
        assert reached.get(marker, set()) == audience, (marker, reached.get(marker))
    for marker, audience in world.federated_markers.items():
        assert reached_federated.get(marker, set()) == audience, (marker, reached_federated)
    unwalked = sorted(e for e in WALKED if e not in walk.hit)
    assert not unwalked, f"routes the table says are walked but were not requested: {unwalked}"
