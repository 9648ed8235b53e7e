"""Statuses: local posting, editing and deletion, and remote objects stored from the inbox.

Local posts are rendered from what the author typed (text.py), addressed by visibility.py and
federated through the outbox in the same transaction that stores them: a post the API confirmed
is always delivered eventually. Remote objects are stored whatever their type; the HTML is
sanitised on the way in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.errors import Forbidden, Invalid, NotFound, RemoteError
from fedihub.ids import new_id
from fedihub.media import peer_meta, placement, remote_cache
from fedihub.models import Visibility
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.security import html
from fedihub.social import (
    activities,
    counters,
    events_hooks,
    notifications,
    poll_rows,
    text,
    visibility,
)

MAX_CHARACTERS = 5000
MAX_MEDIA = 4
MEDIA_UNAVAILABLE = "a media attachment is unknown, not yours, or already attached"
# Mastodon's words (media_attachments.validations.not_ready) for an upload still in processing
MEDIA_NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"
MEDIA_FAILED = "Cannot attach files that could not be processed"
# Mastodon's words (media_attachments.validations.too_many) for media and a poll at once
MEDIA_AND_POLL = "Cannot attach more than 4 files"
ID_ATTEMPTS = 4  # inserts of a remote status, when its time-based id is taken


async def _resolve_mentions(rt: Runtime, raw: str) -> dict[tuple[str, str | None], models.Actor]:
    found: dict[tuple[str, str | None], models.Actor] = {}
    for username, domain in text.mentions(raw)[:20]:
        actor: models.Actor | None
        if domain is None or domain == rt.urls.domain:
            actor = await models.Actor.filter(
                username__iexact=username, domain=None, actor_type="Person"
            ).first()
        else:
            try:
                actor = await resolver.resolve_account(rt, f"{username}@{domain}")
            except Exception:  # an unknown or unreachable account stays plain text, as on Mastodon
                actor = None
        if actor is not None and actor.deleted_at is None:
            found[(username, domain)] = actor
    return found


def _profile_links(
    mentioned: dict[tuple[str, str | None], models.Actor],
) -> dict[tuple[str, str | None], str]:
    """Where each mention links: the actor's profile page, else its id, whichever is an http(s)
    URL (a peer's `url` is not trusted to be one: html.safe_link)."""
    links = {}
    for key, actor in mentioned.items():
        link = html.safe_link(actor.url) or html.safe_link(actor.uri)
        if link is not None:
            links[key] = link
    return links


async def recipients_of(
    status: models.Status, mentioned: list[models.Actor], *, creating: bool = False
) -> list[models.Actor]:
    """Remote actors whose inboxes get a status: followers (unless direct) and mentioned actors.
    A members-only status goes to its project's members alone: when it is created its project's
    Group shares it (projects/feed.py), so nobody here; its edits and deletion go to the
    members' nodes (and the Group, if remote) directly, the Group redistributing only Creates."""
    if not visibility.federates(status.visibility):
        return []
    if status.visibility is Visibility.MEMBERS:
        if creating or not status.audience_uri:
            return []
        return await models.Actor.filter(
            Q(project_memberships__project__actor__uri=status.audience_uri)
            | Q(uri=status.audience_uri),
            domain__not_isnull=True,
        ).distinct()
    out: dict[int, models.Actor] = {a.id: a for a in mentioned if a.domain is not None}
    if status.visibility is not Visibility.DIRECT:
        for actor in await publish.follower_actors(status.actor_id):
            out.setdefault(actor.id, actor)
        if status.in_reply_to_actor_id:
            parent_author = await models.Actor.get_or_none(id=status.in_reply_to_actor_id)
            if parent_author is not None and parent_author.domain is not None:
                out.setdefault(parent_author.id, parent_author)
    return list(out.values())


@dataclass(frozen=True)
class Draft:
    """A post as its author sent it, before it is stored (create) or kept for later (scheduled)."""

    text_source: str
    visibility_level: Visibility = Visibility.PUBLIC
    spoiler_text: str = ""
    sensitive: bool = False
    language: str | None = None
    in_reply_to_id: int | None = None
    media_ids: tuple[int, ...] = ()
    idempotency_key: str | None = None
    poll: poll_rows.PollDraft | None = None
    # FEP-1b12: the project (its Group actor) the post is made in; the group gets the post
    audience: models.Actor | None = None
    # what it answers when that is no status: a project's task (ForgeFed: a Note whose
    # inReplyTo is the Ticket is a comment on it); ignored when in_reply_to_id is set
    in_reply_to_uri: str | None = None


async def check_new(
    actor: models.Actor, draft: Draft, *, scheduled_status_id: int | None = None
) -> tuple[list[models.MediaAttachment], models.Status | None]:
    """Check a post before it is stored or scheduled; returns its media, in the order given, and
    the status it replies to. Media must be the author's and attached to nothing (or, when a
    scheduled status is published, held by that one)."""
    text_source, media_ids = draft.text_source, list(draft.media_ids)
    if len(text_source) > MAX_CHARACTERS:
        raise Invalid(f"Text character limit of {MAX_CHARACTERS} exceeded", field="status")
    if not text_source.strip() and not media_ids:
        raise Invalid("Text can't be blank", field="status")
    if len(media_ids) > MAX_MEDIA:
        raise Invalid(f"Too many media attachments (at most {MAX_MEDIA})", field="media_ids")
    if draft.poll is not None:
        if media_ids:
            raise Invalid(MEDIA_AND_POLL, field="media_ids")
        poll_rows.check(draft.poll)
    media = (
        await models.MediaAttachment.filter(
            id__in=media_ids,
            actor_id=actor.id,
            status_id=None,
            scheduled_status_id=scheduled_status_id,
        )
        if media_ids
        else []
    )
    if len(media) != len(set(media_ids)):
        raise Invalid(MEDIA_UNAVAILABLE, field="media_ids")
    if any(item.processing == models.MediaProcessing.FAILED for item in media):
        raise Invalid(MEDIA_FAILED, field="media_ids")
    if any(item.processing != models.MediaProcessing.COMPLETE for item in media):
        raise Invalid(MEDIA_NOT_READY, field="media_ids")
    media.sort(key=lambda item: media_ids.index(item.id))
    parent = None
    if draft.in_reply_to_id is not None:
        parent = await models.Status.get_or_none(id=draft.in_reply_to_id, deleted_at__isnull=True)
        if parent is None or not await visibility.can_see(actor, parent):
            raise NotFound("the status to reply to does not exist")
        if parent.visibility is Visibility.MEMBERS and draft.visibility_level is not (
            Visibility.MEMBERS
        ):
            # a reply would carry a members-only thread to the replier's followers
            raise Invalid(
                "in_reply_to_id: a reply to a members-only post is made in its project feed",
                field="in_reply_to_id",
            )
    return list(media), parent


async def _sensitized(actor_id: int, media: list[models.MediaAttachment]) -> bool:
    """A moderator marked the account's media sensitive (moderation/actions.py)."""
    if not media:
        return False
    marked = models.AccountModeration.filter(actor_id=actor_id, sensitized_at__not_isnull=True)
    return await marked.exists()


async def create(
    rt: Runtime,
    author: models.User,
    draft: Draft,
    *,
    scheduled_status_id: int | None = None,
    then: Callable[[models.Status], Awaitable[None]] | None = None,
) -> models.Status:
    """Post a status as `author`; returns it once it is stored and its deliveries are queued.

    `scheduled_status_id`: the scheduled status being published, whose media it takes.
    `then`: run in the status's own transaction once it is stored (a job it enqueues, such as a
    project's redistribution, is stored with the status or not at all)."""
    actor = await models.Actor.get(id=author.actor_id)
    if actor.moved_to_id is not None:
        raise Forbidden("this account has moved: post from the new one")
    idempotency_key = draft.idempotency_key
    if idempotency_key:
        earlier = await models.Status.get_or_none(
            actor_id=actor.id, idempotency_key=idempotency_key
        )
        if earlier is not None:
            return earlier
    media, parent = await check_new(actor, draft, scheduled_status_id=scheduled_status_id)
    text_source, spoiler_text, language = draft.text_source, draft.spoiler_text, draft.language
    mentioned = await _resolve_mentions(rt, text_source)
    content = text.render(text_source, _profile_links(mentioned), rt.urls.tag)
    status_id = new_id()
    uri = rt.urls.status(actor.username, status_id)
    now = datetime.now(UTC)
    if media:  # files of a post not everyone may see are served only to its readers
        level = draft.visibility_level
        restricted = level not in (Visibility.PUBLIC, Visibility.UNLISTED)
        await placement.place(rt, [item.id for item in media], restricted=restricted)
    async with in_transaction():
        status = await models.Status.create(
            id=status_id,
            uri=uri,
            url=rt.urls.status_page(actor.username, status_id),
            actor=actor,
            local=True,
            object_type="Question" if draft.poll is not None else "Note",
            visibility=draft.visibility_level,
            content=content,
            source=text_source,
            summary=spoiler_text[:1000],
            sensitive=draft.sensitive or bool(spoiler_text) or await _sensitized(actor.id, media),
            language=(language or None) and language[:16],
            in_reply_to=parent,
            in_reply_to_uri=parent.uri if parent else draft.in_reply_to_uri,
            in_reply_to_actor_id=parent.actor_id if parent else None,
            conversation_uri=(
                parent.conversation_uri
                if parent and parent.conversation_uri
                else draft.in_reply_to_uri or uri
            ),
            published=now,
            idempotency_key=idempotency_key,
            audience_uri=draft.audience.uri if draft.audience is not None else None,
        )
        for mention_actor in {a.id: a for a in mentioned.values()}.values():
            await models.Mention.create(status=status, actor=mention_actor)
        if draft.poll is not None:
            await poll_rows.create(status, draft.poll, now)
        for name in text.hashtags(text_source)[:30]:
            await models.StatusTag.create(status=status, name=name)
        for position, item in enumerate(media):
            await models.MediaAttachment.filter(id=item.id).update(
                status_id=status.id, scheduled_status_id=None, position=position
            )
        status.actor = actor
        recipients = await recipients_of(status, list(mentioned.values()), creating=True)
        if draft.audience is not None and draft.audience.domain is not None:
            recipients.append(draft.audience)  # a remote project redistributes it
        if recipients:
            await publish.publish(rt, actor, await activities.create(rt, status), recipients)
        if then is not None:
            await then(status)
    await counters.refresh_status_counts(actor.id)
    if parent is not None:
        await counters.refresh_interaction_counts(parent.id)
    await events_hooks.status_changed(rt, events_hooks.CREATED, status)
    for mention_actor in {a.id: a for a in mentioned.values()}.values():
        await notifications.notify(rt, mention_actor, "mention", actor, status)
    return status


async def _own_status(author: models.User, status_id: int) -> models.Status:
    status = await models.Status.get_or_none(
        id=status_id, deleted_at__isnull=True
    ).prefetch_related("actor")
    if status is None:
        raise NotFound("Record not found")
    if status.actor_id != author.actor_id:
        raise Forbidden("This action is not allowed")
    return status


async def edit(
    rt: Runtime,
    author: models.User,
    status_id: int,
    *,
    text_source: str,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str | None = None,
    poll: poll_rows.PollDraft | None = None,
) -> models.Status:
    """Edit a local status; the previous revision is kept as a StatusEdit (Mastodon's history).
    As on Mastodon, the edit carries the poll: without one, a poll the status had is removed;
    with other options, or multiple changed, its votes start over."""
    status = await _own_status(author, status_id)
    if status.reblog_of_id:
        raise Invalid("a boost cannot be edited", field="id")
    if status.object_type not in ("Note", "Question"):
        # its document is its domain's (a knowledge post's Article): edited there, not as text;
        # a poll's text is edited like a note's (its options and votes stay)
        raise Invalid("a knowledge post is edited through /api/fedihub/v1/articles", field="id")
    if poll is not None:
        if await models.MediaAttachment.filter(status_id=status.id).exists():
            raise Invalid(MEDIA_AND_POLL, field="media_ids")
        poll_rows.check(poll)
    if len(text_source) > MAX_CHARACTERS:
        raise Invalid(f"Text character limit of {MAX_CHARACTERS} exceeded", field="status")
    if not text_source.strip():
        raise Invalid("Text can't be blank", field="status")
    mentioned = await _resolve_mentions(rt, text_source)
    async with in_transaction():
        if not await models.StatusEdit.filter(status_id=status.id).exists():
            await models.StatusEdit.create(
                status=status,
                content=status.content,
                summary=status.summary,
                sensitive=status.sensitive,
                created_at=status.published,
            )
        status.content = text.render(text_source, _profile_links(mentioned), rt.urls.tag)
        status.source = text_source
        status.summary = spoiler_text[:1000]
        status.sensitive = sensitive or bool(spoiler_text)
        status.language = language or status.language
        status.edited_at = datetime.now(UTC)
        await poll_rows.replace(status, poll, status.edited_at)
        status.object_type = "Question" if poll is not None else "Note"
        await status.save()
        await models.StatusEdit.create(
            status=status,
            content=status.content,
            summary=status.summary,
            sensitive=status.sensitive,
            created_at=status.edited_at,
        )
        existing = set(
            await models.Mention.filter(status_id=status.id).values_list("actor_id", flat=True)
        )
        for mention_actor in mentioned.values():
            if mention_actor.id not in existing:
                await models.Mention.create(status=status, actor=mention_actor)
        await models.StatusTag.filter(status_id=status.id).delete()
        for name in text.hashtags(text_source)[:30]:
            await models.StatusTag.create(status=status, name=name)
        all_mentioned = await models.Actor.filter(mentioned_in__status_id=status.id)
        recipients = await recipients_of(status, all_mentioned)
        if recipients:
            await publish.publish(rt, status.actor, await activities.update(rt, status), recipients)
    await events_hooks.status_changed(rt, events_hooks.EDITED, status)
    return status


async def delete(rt: Runtime, author: models.User, status_id: int) -> models.Status:
    """Delete a local status (a Tombstone remains so its id answers 410); returns it as it was."""
    status = await _own_status(author, status_id)
    mentioned = await models.Actor.filter(mentioned_in__status_id=status.id)
    recipients = await recipients_of(status, mentioned)
    followers = status.actor.followers_url or rt.urls.followers(status.actor.username)
    addressing = visibility.addressing(
        status.visibility,
        followers,
        [a.uri for a in mentioned],
        await visibility.members_url_of(status),
    )
    async with in_transaction():
        status.deleted_at = datetime.now(UTC)
        await status.save(update_fields=["deleted_at"])
        # boosts of it go with it
        await models.Status.filter(reblog_of_id=status.id).update(deleted_at=status.deleted_at)
        if recipients:
            activity = await activities.delete(rt, status, addressing.to, addressing.cc)
            await publish.publish(rt, status.actor, activity, recipients)
    await counters.refresh_status_counts(status.actor_id)
    if status.in_reply_to_id:
        await counters.refresh_interaction_counts(status.in_reply_to_id)
    await events_hooks.status_changed(rt, events_hooks.DELETED, status)
    return status


# ---- remote objects, from the inbox -----------------------------------------------------------


async def _remote_values(
    author: models.Actor, obj: parse.ObjectDoc
) -> tuple[dict[str, Any], models.Status | None]:
    """The columns a remote object sets, and the status it replies to when we hold it."""
    if parse.host_of(obj.id) != author.domain:
        raise RemoteError("object id is not on its author's server")
    members_url = None
    if obj.audience:  # a post in a project: members only when addressed to its members
        found = await models.Project.filter(actor__uri=obj.audience).values_list(
            "members_url", flat=True
        )
        members_url = str(found[0]) if found and found[0] else None
    level = visibility.visibility_from_addressing(obj.to, obj.cc, author.followers_url, members_url)
    parent = await models.Status.get_or_none(uri=obj.in_reply_to) if obj.in_reply_to else None
    values: dict[str, Any] = {
        "url": (obj.url or obj.id)[:768],
        "object_type": obj.type[:32],
        "visibility": level,
        "content": html.sanitize(obj.content),
        "summary": html.to_plain_text(obj.summary)[:1000] if obj.summary else "",
        "name": obj.name[:512] if obj.name else None,
        "sensitive": obj.sensitive,
        "language": obj.language,
        "in_reply_to_uri": obj.in_reply_to[:768] if obj.in_reply_to else None,
        "in_reply_to": parent,
        "in_reply_to_actor_id": parent.actor_id if parent else None,
        "conversation_uri": obj.conversation[:768] if obj.conversation else None,
        "audience_uri": obj.audience if obj.audience and len(obj.audience) <= 768 else None,
        "document": dict(obj.document),
    }
    return values, parent


async def store_remote(
    rt: Runtime, author: models.Actor, obj: parse.ObjectDoc, *, notify: bool = True
) -> models.Status:
    """Insert or update a remote object attributed to `author` (the caller checked the origin)."""
    values, parent = await _remote_values(author, obj)
    existing = await models.Status.get_or_none(uri=obj.id)
    if existing is None:
        return await _insert_remote(rt, author, obj, values, parent, notify=notify)
    if existing.actor_id != author.id:
        raise Forbidden("only the author can update an object")
    if existing.deleted_at is not None:
        return existing
    if obj.poll is not None and _same_text(existing, values):
        # a poll's new counts (Update(Question) after votes, or its end): not an edit
        await poll_rows.store_remote(existing, obj.poll)
        return existing
    async with in_transaction():
        await models.StatusEdit.get_or_create(
            status=existing,
            created_at=existing.edited_at or existing.published,
            defaults={
                "content": existing.content,
                "summary": existing.summary,
                "sensitive": existing.sensitive,
            },
        )
        edited_at = parse.parse_time(obj.updated) or datetime.now(UTC)
        await existing.update_from_dict({**values, "edited_at": edited_at}).save()
        await models.StatusEdit.create(
            status=existing,
            content=existing.content,
            summary=existing.summary,
            sensitive=existing.sensitive,
            created_at=existing.edited_at,
        )
        await _store_tags(rt, existing, obj)
        if obj.poll is not None:
            await poll_rows.store_remote(existing, obj.poll)
        else:  # an edit that took the poll away
            await models.Poll.filter(status_id=existing.id).delete()
    await events_hooks.status_changed(rt, events_hooks.EDITED, existing)
    return existing


def _same_text(status: models.Status, values: dict[str, Any]) -> bool:
    return all(
        getattr(status, key) == values[key] for key in ("content", "summary", "name", "sensitive")
    )


async def insert_remote(
    rt: Runtime, author: models.Actor, obj: parse.ObjectDoc, *, notify: bool = True
) -> models.Status:
    """Store a remote object the caller found not stored yet (one statement fewer than
    store_remote); when the same object arrives twice at once, the one stored first is returned."""
    values, parent = await _remote_values(author, obj)
    return await _insert_remote(rt, author, obj, values, parent, notify=notify)


async def _insert_remote(
    rt: Runtime,
    author: models.Actor,
    obj: parse.ObjectDoc,
    values: dict[str, Any],
    parent: models.Status | None,
    *,
    notify: bool,
) -> models.Status:
    try:
        status, notes = await _insert_rows(rt, author, obj, values, notify=notify)
    except IntegrityError:  # the same object arrived twice at once
        return await models.Status.get(uri=obj.id)
    if obj.attachments:  # after the commit: a job's worker must find the attachment rows
        await remote_cache.enqueue_for_status(rt, status.id)
    await counters.refresh_status_counts(author.id)
    if parent is not None:
        await counters.refresh_interaction_counts(parent.id)
    if notify:  # nor do they reach any stream
        await events_hooks.status_changed(rt, events_hooks.CREATED, status)
        for note in notes:
            await notifications.announce(rt, note)
    return status


async def _insert_rows(
    rt: Runtime, author: models.Actor, obj: parse.ObjectDoc, values: dict[str, Any], *, notify: bool
) -> tuple[models.Status, list[models.Notification | None]]:
    """The status row with its mentions, tags, media and notifications, in one transaction."""
    now = datetime.now(UTC)
    published = parse.parse_time(obj.published) or now
    # ids sort by publication time, clamped to now so a peer cannot pin a post to the top
    at_ms = int(min(published, now).timestamp() * 1000)
    attempt = 1
    while True:
        try:
            async with in_transaction():
                status = await models.Status.create(
                    id=new_id(at_ms),
                    uri=obj.id,
                    actor=author,
                    local=False,
                    published=published,
                    **values,
                )
                mentioned = await _store_tags(rt, status, obj, fresh=True)
                await _store_media(status, obj)
                if obj.poll is not None:
                    await poll_rows.store_remote(status, obj.poll)
                # fetched objects (notify=False) are not news: nobody is notified of them
                notes = [
                    await notifications.record(actor, "mention", author, status)
                    for actor in (mentioned if notify else [])
                ]
                return status, notes
        except IntegrityError:
            # Mastodon dates posts to the second, and ids made for one millisecond differ only
            # in 16 random bits: posts published in the same second can draw the same id (a few
            # in 1,000 at a busy moment). Draw again, unless the object itself is stored already.
            if attempt >= ID_ATTEMPTS or await models.Status.filter(uri=obj.id).exists():
                raise
            attempt += 1


async def _store_tags(
    rt: Runtime, status: models.Status, obj: parse.ObjectDoc, *, fresh: bool = False
) -> list[models.Actor]:
    """Mentions of local actors and hashtags from the object's tags; returns the local mentioned.
    `fresh`: the status was inserted in this transaction, so it has no mentions or tags yet."""
    mentioned: dict[int, models.Actor] = {}
    hrefs = [t.href for t in obj.tags if t.type == "Mention" and t.href]
    if hrefs:
        for actor in await models.Actor.filter(uri__in=hrefs[:50]):
            mentioned[actor.id] = actor
        # local actors are also matched by their profile URL, which some peers put in href
        for actor in await models.Actor.filter(url__in=hrefs[:50], domain=None):
            mentioned.setdefault(actor.id, actor)
    if fresh:
        if mentioned:
            rows = [models.Mention(status=status, actor=actor) for actor in mentioned.values()]
            await models.Mention.bulk_create(rows)
    else:
        for actor in mentioned.values():
            await models.Mention.get_or_create(status=status, actor=actor)
        await models.StatusTag.filter(status_id=status.id).delete()
    names = {
        t.name.lstrip("#").lower()[:255]
        for t in obj.tags
        if t.type == "Hashtag" and t.name.strip("#")
    }
    if names:
        tags = [models.StatusTag(status=status, name=name) for name in list(names)[:30]]
        await models.StatusTag.bulk_create(tags)
    return [actor for actor in mentioned.values() if actor.domain is None]


async def _store_media(status: models.Status, obj: parse.ObjectDoc) -> None:
    for position, item in enumerate(obj.attachments[:8]):
        kind = (item.media_type or "").split("/", 1)[0]
        await models.MediaAttachment.create(
            actor_id=status.actor_id,
            status_id=status.id,
            remote_url=item.url[:768],
            kind={"image": "image", "video": "video", "audio": "audio"}.get(kind, "unknown"),
            content_type=(item.media_type or "application/octet-stream")[:128],
            description=item.name,
            blurhash=peer_meta.blurhash(item.blurhash),
            position=position,
            meta=_peer_file_meta(item),
            size=item.size or 0,
        )


def _peer_file_meta(item: parse.Attachment) -> dict[str, object]:
    meta = peer_meta.meta(item.width, item.height, item.focal_point)
    if item.digest_multibase:  # FEP-1311: what the peer says its file's digest is
        meta["digest_multibase"] = item.digest_multibase
    return meta


async def delete_remote(rt: Runtime, author: models.Actor, uri: str) -> bool:
    """A remote author deleted `uri`; only the author may. Returns whether something was deleted."""
    status = await models.Status.get_or_none(uri=uri)
    if status is None or status.deleted_at is not None:
        return False
    if status.actor_id != author.id:
        raise Forbidden("only the author can delete an object")
    now = datetime.now(UTC)
    await models.Status.filter(id=status.id).update(deleted_at=now)
    await models.Status.filter(reblog_of_id=status.id).update(deleted_at=now)
    await counters.refresh_status_counts(author.id)
    if status.in_reply_to_id:
        await counters.refresh_interaction_counts(status.in_reply_to_id)
    await events_hooks.status_changed(rt, events_hooks.DELETED, status)
    return True
