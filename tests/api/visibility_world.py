"""The world the visibility walk reads (tests/api/test_visibility_walk.py): one author's statuses at
every level, with everything derived from them, and the accounts that read them.

Every status carries a marker, a word of its own (MARKprivateS...), so a response is checked by
looking for markers, whatever its shape. `AUDIENCE` says who may read each level, written out by
hand (never computed with fedihub's own rules, which are what is under test). The world is built as
users build it, through the API and signed inbox POSTs, plus rows planted straight into the
database the way a past bug stored them (a public boost of a followers-only status, a notification
or a favourite of a status its holder may no longer read), so every place that shows a status is
tested for checking it itself, whatever let the row in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apikit import bearer, make_token, make_user

from fedihub import jobs, models
from fedihub.activitypub import signatures
from fedihub.discovery import suggestions
from fedihub.ids import new_id
from fedihub.inbox.receive import INBOX_JOB
from fedihub.models import FollowState, Visibility
from fedihub.security import keys
from fedihub.social import events_hooks, trends
from fedihub.web.common import RUNTIME_KEY

LEVELS = ("public", "unlisted", "private", "direct", "institution")
ROLES = ("author", "follower", "mentioned", "outsider", "anonymous")
LOCAL = {"author", "follower", "mentioned", "outsider"}
EVERYONE = set(ROLES)
# who may read a status of each level (the mentioned account is mentioned in every status)
AUDIENCE: dict[str, set[str]] = {
    "public": EVERYONE,
    "unlisted": EVERYONE,
    "private": {"author", "follower", "mentioned"},
    "direct": {"author", "mentioned"},
    "institution": LOCAL,
}
# the same over ActivityPub, where the roles are remote actors (an unsigned fetch is anonymous)
FEDERATED: dict[str, set[str]] = {
    "public": {"follower", "mentioned", "outsider", "anonymous"},
    "unlisted": {"follower", "mentioned", "outsider", "anonymous"},
    "private": {"follower", "mentioned"},
    "direct": {"mentioned"},
    "institution": set(),  # never leaves the node
}
# knowledge posts mention nobody: a followers-only one is its author's and her followers'
ARTICLE_LEVELS = ("public", "unlisted", "private", "institution")
ARTICLE_AUDIENCE: dict[str, set[str]] = {
    "public": EVERYONE,
    "unlisted": EVERYONE,
    "private": {"author", "follower"},
    "institution": LOCAL,
    "draft": {"author"},
}
ARTICLE_FEDERATED: dict[str, set[str]] = {
    "public": {"follower", "mentioned", "outsider", "anonymous"},
    "unlisted": {"follower", "mentioned", "outsider", "anonymous"},
    "private": {"follower"},
    "institution": set(),
    "draft": set(),
}
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
TAG = "walk"
END = "walk.end"  # the event that closes every stream's reading


@dataclass
class Shown:
    """A status of the world, with the marker it shows and who may read it."""

    id: int
    marker: str
    audience: set[str]
    what: str  # "status", "reply", "boost", ... for messages
    owner: str | None = None  # the role whose status it is, if any
    page: str | None = None  # its page and ActivityPub path, for the author's own statuses
    federated: set[str] | None = None


@dataclass
class World:
    users: dict[str, models.User]
    tokens: dict[str, str]
    remote: dict[str, models.Actor]  # follower, mentioned, outsider (remote roles), eve, rob, zed
    key: Any
    markers: dict[str, set[str]] = field(default_factory=dict)  # marker -> audience
    federated_markers: dict[str, set[str]] = field(default_factory=dict)
    shown: list[Shown] = field(default_factory=list)
    others: list[int] = field(default_factory=list)  # statuses without a marker of their own
    lists: dict[str, int] = field(default_factory=dict)
    scheduled: int = 0
    articles: dict[str, int] = field(default_factory=dict)  # level or "draft" -> article id
    polls: dict[int, str] = field(default_factory=dict)  # status id -> its poll's id

    def actor(self, role: str) -> models.Actor:
        return self.users[role].actor

    def allowed(self, role: str) -> set[str]:
        return {m for m, audience in self.markers.items() if role in audience}

    def federated_allowed(self, role: str) -> set[str]:
        return {m for m, audience in self.federated_markers.items() if role in audience}

    def markers_in(self, text: str) -> set[str]:
        return {m for m in self.markers if m in text}


async def _remote(username: str, domain: str, key: Any) -> models.Actor:
    base = f"https://{domain}/users/{username}"
    return await models.Actor.create(
        uri=base,
        username=username,
        domain=domain,
        inbox=f"{base}/inbox",
        shared_inbox=f"https://{domain}/inbox",
        public_key_id=f"{base}#main-key",
        public_key_pem=keys.public_pem(key),
        followers_url=f"{base}/followers",
    )


def signed_get(url: str, actor: models.Actor, key: Any, accept: str) -> dict[str, str]:
    headers = {"Accept": accept, "Host": "fedihub.test"}
    headers.update(
        signatures.sign_cavage("GET", url, headers, None, actor.public_key_id or "", key)
    )
    return headers


async def deliver(client: Any, signer: models.Actor, key: Any, activity: dict[str, Any]) -> None:
    """A signed POST to the shared inbox, and the inbox jobs it queued run."""
    body = json.dumps(activity).encode()
    headers = {"Content-Type": "application/activity+json", "Host": "fedihub.test"}
    headers.update(
        signatures.sign_cavage(
            "POST", "https://fedihub.test/inbox", headers, body, signer.public_key_id or "", key
        )
    )
    response = await client.post("/inbox", data=body, headers=headers)
    assert response.status_code == 202, await response.get_data()
    await jobs.drain(client.app.extensions[RUNTIME_KEY], kinds=[INBOX_JOB])


async def _api(client: Any, token: str, method: str, path: str, **body: Any) -> Any:
    response = await client.open(path, method=method, json=body or None, headers=bearer(token))
    return response.status_code, await response.get_json()


async def people(client: Any) -> World:
    """The accounts, their follows, lists and followed tag: what streams subscribe to."""
    users = {
        role: await make_user(client.app, name)
        for role, name in (
            ("author", "ada"),
            ("follower", "fol"),
            ("mentioned", "men"),
            ("outsider", "out"),
            ("booster", "lou"),
        )
    }
    tokens = {role: await make_token(user) for role, user in users.items()}
    key = keys.generate_private_key()
    remote = {
        name: await _remote(name, domain, key)
        for name, domain in (
            ("follower", "fol.example"),
            ("mentioned", "men.example"),
            ("outsider", "out.example"),
            ("eve", "evil.example"),
            ("rob", "rob.example"),
            ("zed", "far.example"),
        )
    }
    world = World(users, tokens, remote, key)
    ada, fol = world.actor("author"), world.actor("follower")
    follows = [
        (fol, ada),
        (remote["follower"], ada),
        (fol, remote["zed"]),
        (ada, world.actor("booster")),
    ]
    for role in ("follower", "mentioned", "outsider"):
        for booster in (world.actor("booster"), remote["rob"], remote["eve"]):
            follows.append((world.actor(role), booster))
    for follower, target in follows:
        await models.Follow.create(follower=follower, target=target, state=FollowState.ACCEPTED)
    for role in LOCAL:
        _, made = await _api(client, tokens[role], "POST", "/api/v1/lists", title="walk")
        world.lists[role] = int(made["id"])
        members = [world.actor("booster").id]
        if role != "author":
            members += [remote["rob"].id, remote["eve"].id]
        if role == "follower":
            members.append(ada.id)
        await _api(
            client,
            tokens[role],
            "POST",
            f"/api/v1/lists/{made['id']}/accounts",
            account_ids=[str(m) for m in members],
        )
    await _api(client, tokens["outsider"], "POST", f"/api/v1/tags/{TAG}/follow")
    return world


def _record(world: World, shown: Shown) -> None:
    world.shown.append(shown)


async def _post(client: Any, world: World, role: str, text: str, level: str, **extra: Any) -> int:
    code, made = await _api(
        client,
        world.tokens[role],
        "POST",
        "/api/v1/statuses",
        status=text,
        visibility=level,
        **extra,
    )
    assert code == 200, made
    status_id = int(made["id"])
    # the remote mentioned account is mentioned too (a remote mention would be looked up online)
    await models.Mention.create(status_id=status_id, actor=world.remote["mentioned"])
    return status_id


async def _boost_row(rt: Any, booster: models.Actor, original_id: int, *, local: bool) -> int:
    """A public boost stored as an old bug stored them, announced to the streams."""
    boost_id = new_id()
    boost = await models.Status.create(
        id=boost_id,
        uri=f"{booster.uri}/statuses/{boost_id}/activity",
        actor=booster,
        local=local,
        object_type="Announce",
        visibility=Visibility.PUBLIC,
        reblog_of_id=original_id,
        published=datetime.now(UTC),
    )
    boost.actor = booster
    await events_hooks.status_changed(rt, events_hooks.CREATED, boost)
    return boost_id


def _announce(signer: models.Actor, obj: str, n: int) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{signer.uri}/statuses/{n}/activity",
        "type": "Announce",
        "actor": signer.uri,
        "to": [PUBLIC],
        "cc": [signer.followers_url],
        "object": obj,
    }


async def statuses(client: Any, world: World) -> None:
    """The statuses and everything derived from them."""
    rt = client.app.extensions[RUNTIME_KEY]
    eve, rob, zed = (world.remote[n] for n in ("eve", "rob", "zed"))
    originals: dict[str, int] = {}
    for level in LEVELS:
        marker = f"MARK{level}S"
        # each carries a poll whose option is the marker: /api/v1/polls/:id shows it alone
        poll = {"options": [marker, "no"], "expires_in": 3600}
        status_id = await _post(
            client, world, "author", f"@men {marker} hush #{TAG}", level, poll=poll
        )
        originals[level] = status_id
        asked = await models.Poll.get(status_id=status_id)
        world.polls[status_id] = str(asked.id)
        world.markers[marker] = AUDIENCE[level]
        world.federated_markers[marker] = FEDERATED[level]
        page = f"/@ada/{status_id}"
        shown = Shown(
            status_id, marker, AUDIENCE[level], "status", "author", page, FEDERATED[level]
        )
        _record(world, shown)
        reply_marker = f"MARK{level}R"
        reply = await _post(
            client,
            world,
            "author",
            f"@men {reply_marker} hush #{TAG}",
            level,
            in_reply_to_id=str(status_id),
        )
        world.markers[reply_marker] = AUDIENCE[level]
        world.federated_markers[reply_marker] = FEDERATED[level]
        _record(
            world,
            Shown(
                reply,
                reply_marker,
                AUDIENCE[level],
                "reply",
                "author",
                f"/@ada/{reply}",
                FEDERATED[level],
            ),
        )
        # an edit (to the streams as status.update, and a revision in its history)
        code, edited = await _api(
            client,
            world.tokens["author"],
            "PUT",
            f"/api/v1/statuses/{status_id}",
            status=f"@men {marker} hush, edited #{TAG}",
            poll=poll,  # as Mastodon's clients send it: an edit without it removes the poll
        )
        assert code == 200, edited
        # a public answer by the mentioned account: its parent must not show through it
        code, answer = await _api(
            client,
            world.tokens["mentioned"],
            "POST",
            "/api/v1/statuses",
            status="an open answer",
            in_reply_to_id=str(status_id),
        )
        assert code == 200, answer
        world.others.append(int(answer["id"]))
        # boosts as users make them: by a follower when public, by the author herself otherwise
        booster, boost_audience = "follower", EVERYONE
        if level in ("private", "direct", "institution"):
            booster = "author"
            boost_audience = {"author", "follower"} if level != "institution" else LOCAL
        path = f"/api/v1/statuses/{status_id}/reblog"
        code, boost = await _api(client, world.tokens[booster], "POST", path)
        if code == 200:
            audience = AUDIENCE[level] & boost_audience
            _record(world, Shown(int(boost["id"]), marker, audience, "boost", booster))
        # an attacker who learned its URI announces it; a bug stored public boosts of it
        status = await models.Status.get(id=status_id)
        await deliver(client, eve, world.key, _announce(eve, status.uri, len(world.shown)))
        for booster_actor, local in ((rob, False), (world.actor("booster"), True)):
            planted = await _boost_row(rt, booster_actor, status_id, local=local)
            owner = "booster" if local else None
            _record(world, Shown(planted, marker, AUDIENCE[level], "planted boost", owner))
    # a remote followers-only status, held because the follower follows its author
    note = {
        "id": f"{zed.uri}/notes/1",
        "type": "Note",
        "attributedTo": zed.uri,
        "content": f"<p>MARKzed hush #{TAG}</p>",
        "to": [zed.followers_url],
        "cc": [],
        "tag": [{"type": "Hashtag", "name": f"#{TAG}"}],
    }
    create = {"id": f"{note['id']}/activity", "type": "Create", "actor": zed.uri, "object": note}
    await deliver(
        client, zed, world.key, {"@context": "https://www.w3.org/ns/activitystreams", **create}
    )
    held = await models.Status.get(uri=note["id"])
    world.markers["MARKzed"] = {"follower"}
    _record(world, Shown(held.id, "MARKzed", {"follower"}, "remote status"))
    await deliver(client, eve, world.key, _announce(eve, note["id"], 999))
    planted = await _boost_row(rt, rob, held.id, local=False)
    _record(world, Shown(planted, "MARKzed", {"follower"}, "planted boost"))
    for row in await models.Status.filter(actor_id=eve.id, reblog_of_id__isnull=False):
        original = next(s for s in world.shown if s.id == row.reblog_of_id)
        _record(world, Shown(row.id, original.marker, original.audience, "remote boost"))
    await _interactions(client, world, originals)
    # the author pins each status she may pin: the featured collection and pinned=true list them
    for level in LEVELS:
        if level != "direct":
            pin = f"/api/v1/statuses/{originals[level]}/pin"
            code, pinned = await _api(client, world.tokens["author"], "POST", pin)
            assert code == 200 and pinned["pinned"], pinned
    # a draft for later: its author's alone
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    code, draft = await _api(
        client,
        world.tokens["author"],
        "POST",
        "/api/v1/statuses",
        status="MARKsched hush",
        visibility="private",
        scheduled_at=later,
    )
    assert code == 200, draft
    world.scheduled = int(draft["id"])
    world.markers["MARKsched"] = {"author"}
    await _articles(client, world)
    await trends.refresh()
    # what each role is suggested to read (and whom to follow), as the background refresh does
    await suggestions.refresh(client.app.extensions[RUNTIME_KEY])


async def _articles(client: Any, world: World) -> None:
    """Knowledge posts at each level, edited once (two versions), read once, and a draft."""
    for level in (*ARTICLE_LEVELS, "draft"):
        marker = f"MARK{level}K"
        code, made = await _api(
            client,
            world.tokens["author"],
            "POST",
            "/api/fedihub/v1/articles",
            title=f"{marker} hush",
            summary=f"The summary of {marker}",
            body=f"The body of {marker}, hush.",
            tags=[TAG],
            visibility=level if level != "draft" else "public",
            draft=level == "draft",
        )
        assert code == 200, made
        article_id = made["id"]
        code, made = await _api(
            client,
            world.tokens["author"],
            "PUT",
            f"/api/fedihub/v1/articles/{article_id}",
            title=f"{marker} hush",
            summary=f"The summary of {marker}, edited",
            body=f"The body of {marker}, hush, edited.",
            tags=[TAG],
            visibility=level if level != "draft" else "public",
        )
        assert code == 200, made
        world.articles[level] = int(article_id)
        world.markers[marker] = ARTICLE_AUDIENCE[level]
        world.federated_markers[marker] = ARTICLE_FEDERATED[level]
        if made["status_id"] is not None:
            status_id = int(made["status_id"])
            shown = Shown(
                status_id,
                marker,
                ARTICLE_AUDIENCE[level],
                "knowledge post",
                "author",
                f"/@ada/{status_id}",
                ARTICLE_FEDERATED[level],
            )
            _record(world, shown)


async def _interactions(client: Any, world: World, originals: dict[str, int]) -> None:
    """Favourites and bookmarks as users make them, and rows a reader kept after losing sight of
    their status (a favourite, a bookmark, a notification: unfollowed, or a mention edited out)."""
    for role in ("follower", "mentioned", "outsider"):
        for status_id in [*originals.values(), *(s.id for s in world.shown if s.what == "boost")]:
            for action in ("favourite", "bookmark"):
                path = f"/api/v1/statuses/{status_id}/{action}"
                await _api(client, world.tokens[role], "POST", path)
    kept = [("outsider", "private"), ("outsider", "direct"), ("follower", "direct")]
    for role, level in kept:
        actor, status_id = world.actor(role), originals[level]
        await models.Favourite.create(actor=actor, status_id=status_id)
        await models.Bookmark.create(actor_id=actor.id, status_id=status_id)
        await models.Notification.create(
            recipient=actor, kind="mention", from_actor=world.actor("author"), status_id=status_id
        )
        # and one held by a notification policy, under its request (its last status too)
        await models.Notification.create(
            recipient=actor,
            kind="mention",
            from_actor=world.actor("author"),
            status_id=status_id,
            filtered=True,
        )
        await models.NotificationRequest.get_or_create(
            recipient_id=actor.id,
            from_actor_id=world.actor("author").id,
            defaults={"last_status_id": status_id, "notifications_count": 1},
        )
