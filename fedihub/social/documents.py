"""ActivityStreams documents of statuses: the object (Note, Article, Question...) and its Tombstone.

Local statuses are built from their columns in the shape Mastodon sends
(app/serializers/activitypub/note_serializer.rb); remote ones are served as received. Who may see
a document is not decided here but in social/visibility.py; the addressing comes from there too.
`note_documents` builds many at once in a constant number of queries, for collections.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fedihub import models
from fedihub.activitypub.documents import format_datetime
from fedihub.activitypub.vocabulary import AS_CONTEXT, NOTE_CONTEXT
from fedihub.media import placement
from fedihub.runtime import Runtime
from fedihub.social import visibility


def activity_id(status: models.Status) -> str:
    """The id of the Create that published a status (Mastodon: the object's id + /activity)."""
    return f"{status.uri}/activity"


def mention_name(rt: Runtime, actor: models.Actor) -> str:
    return f"@{actor.username}@{actor.domain or rt.urls.domain}"


def _dimension(meta: dict[str, Any], key: str) -> int | None:
    original = meta.get("original")
    value = original.get(key) if isinstance(original, dict) else meta.get(key)
    return value if isinstance(value, int) and value > 0 else None


def _attachment(rt: Runtime, media: models.MediaAttachment) -> dict[str, Any] | None:
    url = media.remote_url or (placement.url(rt, media.storage_key) if media.storage_key else None)
    if url is None:
        return None
    document: dict[str, Any] = {
        "type": "Document",
        "mediaType": media.content_type,
        "url": url,
        "name": media.description,
    }
    if media.blurhash:
        document["blurhash"] = media.blurhash
    meta = media.meta or {}
    if media.size and not media.remote_url:  # FEP-1311, for files served from here
        document["size"] = media.size
        digest = meta.get("digest_multibase")
        if isinstance(digest, str):
            document["digestMultibase"] = digest
    focus = meta.get("focus")
    if isinstance(focus, dict) and {"x", "y"} <= focus.keys():
        document["focalPoint"] = [focus["x"], focus["y"]]
    for key in ("width", "height"):
        value = _dimension(meta, key)
        if value is not None:
            document[key] = value
    return document


def question_fields(poll: models.Poll, now: datetime | None = None) -> dict[str, Any]:
    """A poll as Mastodon's Question carries it: `oneOf` or `anyOf` options with their counts as
    `replies.totalItems`, `endTime`, `closed` once ended, `votersCount`."""
    options = [
        {
            "type": "Note",
            "name": title,
            "replies": {"type": "Collection", "totalItems": count},
        }
        for title, count in zip(poll.options, poll.tallies, strict=False)
    ]
    fields: dict[str, Any] = {"anyOf" if poll.multiple else "oneOf": options}
    if poll.expires_at is not None:
        fields["endTime"] = format_datetime(poll.expires_at)
        if poll.expires_at <= (now or datetime.now(UTC)):
            fields["closed"] = format_datetime(poll.expires_at)
    fields["votersCount"] = poll.voters_count or 0
    return fields


def build_note(
    rt: Runtime,
    status: models.Status,
    author: models.Actor,
    mentioned: Sequence[models.Actor],
    tags: Sequence[str],
    media: Sequence[models.MediaAttachment],
    *,
    with_context: bool = True,
    poll: models.Poll | None = None,
    members_url: str | None = None,
) -> dict[str, Any]:
    """The object of a local status from its loaded parts (no database access); `members_url`:
    the members collection a members-only status is addressed to."""
    urls = rt.urls
    followers = author.followers_url or urls.followers(author.username)
    audience = visibility.addressing(
        status.visibility, followers, [a.uri for a in mentioned], members_url
    )
    document: dict[str, Any] = {"@context": NOTE_CONTEXT} if with_context else {}
    document.update(
        {
            "id": status.uri,
            "type": status.object_type,
            "summary": status.summary or None,
            "inReplyTo": status.in_reply_to_uri,
            "published": format_datetime(status.published),
            "url": status.url or urls.status_page(author.username, status.id),
            "attributedTo": author.uri,
            "to": audience.to,
            "cc": audience.cc,
            "sensitive": status.sensitive,
        }
    )
    if status.audience_uri:
        # FEP-1b12: posted in a project; the group is addressed so that it gets the post
        document["audience"] = status.audience_uri
        if status.audience_uri not in document["to"] + document["cc"]:
            document["cc"] = [*document["cc"], status.audience_uri]
    if status.name is not None and status.object_type != "Note":
        document["name"] = status.name
    if status.conversation_uri:
        document["conversation"] = status.conversation_uri
    document["content"] = status.content
    if status.language:
        document["contentMap"] = {status.language: status.content}
    if status.edited_at is not None:
        document["updated"] = format_datetime(status.edited_at)
    if poll is not None:
        document.update(question_fields(poll))
    document["attachment"] = [a for a in (_attachment(rt, m) for m in media) if a is not None]
    document["tag"] = [
        *({"type": "Mention", "href": a.uri, "name": mention_name(rt, a)} for a in mentioned),
        *({"type": "Hashtag", "href": urls.tag(t), "name": f"#{t}"} for t in tags),
    ]
    return document


def _remote_document(status: models.Status, with_context: bool) -> dict[str, Any] | None:
    """The stored document of a remote status, or of a local one whose domain built it (a
    knowledge post's Article, knowledge/documents.py); None for a local status built here."""
    if not status.document:
        return None
    document = dict(status.document)
    if not with_context:
        document.pop("@context", None)
    return document


async def note_documents(
    rt: Runtime, statuses: Sequence[models.Status], *, with_context: bool = True
) -> list[dict[str, Any]]:
    """The objects of many statuses, in order, with five queries whatever their number (six
    when some ask a question)."""
    ids = [s.id for s in statuses]
    author_ids = {s.actor_id for s in statuses}
    authors = {a.id: a for a in await models.Actor.filter(id__in=author_ids)} if ids else {}
    mentioned: dict[int, list[models.Actor]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    media: dict[int, list[models.MediaAttachment]] = defaultdict(list)
    polls: dict[int, models.Poll] = {}
    if ids:
        mentions = await models.Mention.filter(status_id__in=ids).order_by("id")
        mention_actors = (
            {a.id: a for a in await models.Actor.filter(id__in={m.actor_id for m in mentions})}
            if mentions
            else {}
        )
        for mention in mentions:
            if mention.actor_id in mention_actors:
                mentioned[mention.status_id].append(mention_actors[mention.actor_id])
        for tag in await models.StatusTag.filter(status_id__in=ids).order_by("id"):
            tags[tag.status_id].append(tag.name)
        for item in await models.MediaAttachment.filter(status_id__in=ids).order_by(
            "position", "id"
        ):
            if item.status_id is not None:
                media[item.status_id].append(item)
        questions = [s.id for s in statuses if s.local and s.object_type == "Question"]
        if questions:
            polls = {p.status_id: p for p in await models.Poll.filter(status_id__in=questions)}
    members_urls = {s.id: await visibility.members_url_of(s) for s in statuses if s.local}
    documents = []
    for status in statuses:
        remote = _remote_document(status, with_context)
        if remote is not None:
            documents.append(remote)
            continue
        documents.append(
            build_note(
                rt,
                status,
                authors[status.actor_id],
                mentioned[status.id],
                tags[status.id],
                media[status.id],
                with_context=with_context,
                poll=polls.get(status.id),
                members_url=members_urls.get(status.id),
            )
        )
    return documents


async def note_document(
    rt: Runtime, status: models.Status, *, with_context: bool = True
) -> dict[str, Any]:
    """The object of one status: built from the columns if local, as received if remote."""
    remote = _remote_document(status, with_context)
    if remote is not None:
        return remote
    (document,) = await note_documents(rt, [status], with_context=with_context)
    return document


def create_document(
    rt: Runtime, status: models.Status, note: dict[str, Any], *, with_context: bool = True
) -> dict[str, Any]:
    """The Create that published `status`, wrapping its object (as listed in an outbox)."""
    document: dict[str, Any] = {"@context": NOTE_CONTEXT} if with_context else {}
    document.update(
        {
            "id": activity_id(status),
            "type": "Create",
            "actor": note.get("attributedTo"),
            "published": note.get("published") or format_datetime(status.published),
            "to": note.get("to", []),
            "cc": note.get("cc", []),
            "object": {k: v for k, v in note.items() if k != "@context"},
        }
    )
    return document


def tombstone_document(rt: Runtime, status: models.Status) -> dict[str, Any]:
    """What a deleted status's id answers (with 410 Gone)."""
    document: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": status.uri,
        "type": "Tombstone",
        "formerType": status.object_type,
    }
    if status.deleted_at is not None:
        document["deleted"] = format_datetime(status.deleted_at)
    return document
