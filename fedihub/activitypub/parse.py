"""Untrusted ActivityPub JSON in, typed values out: the boundary where `dict[str, Any]` stops.

Nothing here trusts an embedded object: it only reads shapes. Trust decisions (who may speak for
what) belong to the inbox. Every URL a typed value carries (ids, links, inboxes, media) is an
absolute http(s) URL with a host and no user part, or None: a `javascript:` or `data:` URL from
a peer never reaches a store, a page or a fetch (`http_url`). Imports nothing of fedihub but
errors and the vocabulary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fedihub.activitypub.expertise import read_expertise
from fedihub.activitypub.vocabulary import ACTOR_TYPES, PUBLIC, PUBLIC_ALIASES
from fedihub.errors import BadRequest

ACTOR_TYPES_FOR_KEYS = frozenset({"Person", "Group", "Organization", "Application", "Service"})
MAX_LIST = 1000  # addressing lists, tags, attachments: more is abuse
MAX_URL = 2048
MAX_MESSAGE = 5000
# objects read for their ids only: Mobilizon's Member ({actor, object: group, role}) in an Accept
REFERENCE_TYPES = frozenset({"Member"})
_HTTP_SCHEMES = frozenset({"http", "https"})


def loads_bounded(body: bytes, *, max_depth: int = 32) -> dict[str, Any]:
    """Parse a JSON object, refusing nesting deeper than max_depth (a cheap DoS guard) and NUL
    characters in its keys and strings."""
    try:
        value = json.loads(body, parse_constant=not_json)
    except RecursionError:
        raise BadRequest(f"JSON nested deeper than {max_depth} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadRequest("body must be a JSON object")
    # walk containers only, iteratively: cost grows with the document, not with its depth
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise BadRequest(f"JSON nested deeper than {max_depth} levels")
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    if holds_nul(value):
        # PostgreSQL's text and jsonb cannot hold U+0000: a document carrying one (as \u0000)
        # could not be stored, and no peer has a reason to send one
        raise BadRequest("JSON holds a NUL character (\\u0000)")
    return value


def not_json(constant: str) -> Any:
    """json.loads's parse_constant: Python reads NaN and Infinity, which JSON has not and
    PostgreSQL's jsonb refuses to store; this makes them a ValueError like any bad JSON."""
    raise ValueError(f"{constant} is not JSON")


def holds_nul(value: Any) -> bool:
    """Whether a string, or JSON lists and objects of them (keys too), hold U+0000, which
    PostgreSQL's text and jsonb refuse. Iterative: a deep document cannot exhaust the stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def http_url(value: Any) -> str | None:
    """`value` if it is an absolute http(s) URL with a host, no user part, no whitespace or control
    characters and at most MAX_URL characters; else None."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return None
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        return None
    if parts.scheme.lower() not in _HTTP_SCHEMES or not parts.hostname or "@" in parts.netloc:
        return None
    return value


def origin_of(url: str | None) -> str:
    """scheme://host[:port] of an http(s) URL, lower-cased, default port left out; '' when the URL
    is not one. Two URLs are on the same origin when these are equal."""
    checked = http_url(url)
    if checked is None:
        return ""
    parts = urlsplit(checked)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    port = "" if parts.port in (None, default) else f":{parts.port}"
    return f"{scheme}://{host}{port}"


_MULTIBASE58 = re.compile(r"z[1-9A-HJ-NP-Za-km-z]{10,120}")
MAX_BYTE_SIZE = 1 << 40  # a peer's larger `size` is garbage


def _byte_size(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_BYTE_SIZE else None


def _digest(value: Any) -> str | None:
    return value if isinstance(value, str) and _MULTIBASE58.fullmatch(value) else None


def first_url(value: Any) -> str | None:
    """`first_str`, kept only when it is an http(s) URL (`http_url`)."""
    return http_url(first_str(value))


def first_str(value: Any) -> str | None:
    """An id from a string, an object with an id, or the first of a list of those."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        inner = value.get("id") or value.get("href")
        return inner if isinstance(inner, str) else None
    if isinstance(value, list) and value:
        return first_str(value[0])
    return None


def image_url(value: Any) -> str | None:
    """The URL of an actor's `icon` or `image`: a URL, or an Image object (or a list of either)
    whose `url` may itself be a Link. Every peer sends `{"type": "Image", "url": ...}` without an
    `id`, so reading it as an id (first_str) lost every remote avatar and header."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        # `url` as every peer sends it; `href` and `id` as some write an image Link
        value = value.get("url") or value.get("href") or value.get("id")
        if isinstance(value, list | dict):
            value = first_str(value)
    return http_url(value)


def id_list(value: Any) -> list[str]:
    """Addressing fields: a string, an object, or a list of either, as a list of ids."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items[:MAX_LIST]:
        ident = first_str(item)
        if ident:
            out.append(PUBLIC if ident in PUBLIC_ALIASES else ident)
    return out


def host_of(url: str | None) -> str:
    """The authority (host[:port]) of a URL, lower-cased; '' when there is none."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return (parts.netloc or "").lower()


def type_of(doc: dict[str, Any]) -> str:
    value = doc.get("type")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value if isinstance(value, str) else ""


def parse_time(value: Any) -> datetime | None:
    """An xsd:dateTime as peers send it (`Z` or an offset; naive taken as UTC); None if it is not
    one."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# activities a group (a Lemmy community, a WordPress blog: FEP-1b12) announces to its followers,
# and those that travel inside others (the Follow of an Accept, the Like of an Undo)
ACTIVITY_TYPES = frozenset(
    "Create Update Delete Undo Like Dislike EmojiReact Announce Follow Accept Reject Add Remove "
    "Block Flag Lock Move Invite Join Leave Offer Resolve Assign Grant".split()
)


@dataclass(frozen=True)
class Reference:
    """An object embedded in an activity and read only for who did what to what: an activity (the
    Follow of an Accept, the Like of an Undo, the Create of a group's Announce), or a document
    too thin to read fully. Never trusted beyond its ids."""

    id: str | None
    type: str
    actor: str | None
    object_id: str | None


@dataclass(frozen=True)
class Activity:
    id: str
    type: str
    actor: str
    object_id: str | None
    # what `object` embeds, read by its type; untrusted: its origin is checked by whoever uses it
    embedded: ObjectDoc | ActorDoc | Reference | None
    target: str | None
    to: list[str]
    cc: list[str]
    published: datetime | None = None
    # the activity's `updated`, else its embedded object's: WriteFreely sends every Update of a
    # post under one id, and only this time tells one edit from the next
    updated: str | None = None
    # what projects' activities carry (Invite, Join, Add, Grant): a role, an expiry, a message
    # (untrusted text, at most MAX_MESSAGE characters, sanitised by whoever shows it), `origin`
    instrument: str | None = None
    end_time: datetime | None = None
    content: str = ""
    origin_id: str | None = None
    # the activity as received, read-only: a group redistributes it unchanged (FEP-1b12 MUST)
    document: Mapping[str, object] = field(default_factory=dict, repr=False)
    # every id `object` names, in order (a Flag names the reported account and its statuses)
    objects: tuple[str, ...] = ()

    @property
    def origin(self) -> str:
        return host_of(self.id)

    @property
    def inner(self) -> Reference | None:
        """The embedded activity (or thin object), read for its ids."""
        return self.embedded if isinstance(self.embedded, Reference) else None


def activity(doc: dict[str, Any]) -> Activity:
    """Read an activity; raises BadRequest when it lacks an id, a type or an actor."""
    ident = http_url(doc.get("id"))
    kind = type_of(doc)
    actor = first_url(doc.get("actor"))
    if ident is None:
        raise BadRequest("activity has no id URL")
    if not kind:
        raise BadRequest("activity has no type")
    if not actor:
        raise BadRequest("activity has no actor")
    obj = doc.get("object")
    embedded = obj if isinstance(obj, dict) else None
    return Activity(
        id=ident,
        type=kind,
        actor=actor,
        object_id=first_str(obj),
        embedded=_embedded(embedded) if embedded is not None else None,
        target=first_str(doc.get("target")),
        to=id_list(doc.get("to")),
        cc=id_list(doc.get("cc")),
        published=parse_time(doc.get("published")),
        updated=_time_text(doc.get("updated"))
        or (_time_text(embedded.get("updated")) if embedded else None),
        instrument=first_str(doc.get("instrument")),
        end_time=parse_time(doc.get("endTime")),
        content=_text(doc.get("content") or doc.get("participationMessage"))[:MAX_MESSAGE],
        origin_id=first_str(doc.get("origin")),
        document=doc,
        objects=tuple(id_list(obj)),
    )


MAX_ACTIVITY_CONTENT = 5000


def _embedded(doc: dict[str, Any]) -> ObjectDoc | ActorDoc | Reference:
    """An embedded object by its type: an actor, any other object, or (for an activity, and for
    what does not read as either, such as Mastodon's bare `{"type": "Person", "id": ...}` in the
    Delete of an actor) a Reference holding only its ids."""
    kind = type_of(doc)
    try:
        if kind in ACTOR_TYPES:
            return actor_doc(doc)
        if kind and kind not in ACTIVITY_TYPES and kind not in REFERENCE_TYPES:
            return object_doc(doc)
    except BadRequest:
        pass
    return Reference(
        id=first_str(doc.get("id")),
        type=kind,
        actor=first_str(doc.get("actor")),
        object_id=first_str(doc.get("object")),
    )


def _time_text(value: Any) -> str | None:
    return value[:64] if isinstance(value, str) and value else None


def announced_object_id(activity: Activity) -> str | None:
    """The id of what an Announce shares. Lemmy communities and WordPress blogs announce whole
    activities (`Announce(Create(Page))`): the post is the object of an announced Create or
    Update; announced votes, deletions and the like share no post (None). The embedded activity
    is only read for that id: the post itself is fetched from its origin."""
    inner = activity.inner
    if inner is None or inner.type not in ACTIVITY_TYPES:
        return activity.object_id
    if inner.type in ("Create", "Update"):
        return inner.object_id
    return None


@dataclass(frozen=True)
class Tag:
    type: str
    name: str
    href: str | None


@dataclass(frozen=True)
class Attachment:
    type: str
    url: str
    media_type: str | None
    name: str | None
    blurhash: str | None
    width: int | None
    height: int | None
    focal_point: tuple[float, float] | None = None  # Mastodon's toot:focalPoint, x and y in [-1, 1]
    size: int | None = None  # FEP-1311 `size` in bytes
    digest_multibase: str | None = None  # FEP-1311 `digestMultibase`, well formed (base58btc)


MAX_POLL_OPTIONS = 20  # Mastodon keeps any number a peer sends; more than this is abuse
MAX_OPTION_TITLE = 200


@dataclass(frozen=True)
class Question:
    """A poll as a Question carries it: `oneOf` (single choice) or `anyOf` (multiple), each option
    a Note whose `name` is its title and `replies.totalItems` its votes."""

    options: list[str]
    tallies: list[int]
    multiple: bool
    end_time: datetime | None
    closed: datetime | None
    voters_count: int | None


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
        return value
    return None


def _question(doc: dict[str, Any]) -> Question | None:
    multiple = "anyOf" in doc and "oneOf" not in doc
    raw = doc.get("anyOf" if multiple else "oneOf")
    if not isinstance(raw, list) or not raw:
        return None
    options: list[str] = []
    tallies: list[int] = []
    for item in raw[:MAX_POLL_OPTIONS]:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        replies = item.get("replies")
        total = _count(replies.get("totalItems")) if isinstance(replies, dict) else None
        options.append(item["name"][:MAX_OPTION_TITLE])
        tallies.append(total or 0)
    if not options:
        return None
    closed = doc.get("closed")
    return Question(
        options=options,
        tallies=tallies,
        multiple=multiple,
        end_time=parse_time(doc.get("endTime")),
        # Mastodon sends the time it closed; some peers send `true`
        closed=parse_time(closed) or (datetime.now(UTC) if closed is True else None),
        voters_count=_count(doc.get("votersCount")),
    )


@dataclass(frozen=True)
class ObjectDoc:
    id: str
    type: str
    attributed_to: str | None
    content: str
    summary: str
    name: str | None
    url: str | None
    in_reply_to: str | None
    published: str | None
    updated: str | None
    sensitive: bool
    language: str | None
    conversation: str | None
    to: list[str]
    cc: list[str]
    tags: list[Tag]
    attachments: list[Attachment]
    # FEP-1b12: the group (a project) the object is posted in
    audience: str | None
    # the document as received, to be stored whole (types we do not render keep every field);
    # read-only: decisions go by the typed fields above
    document: Mapping[str, object] = field(repr=False)
    poll: Question | None = None  # a Question's options and counts


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _content(doc: dict[str, Any]) -> tuple[str, str | None]:
    content = _text(doc.get("content"))
    language = None
    content_map = doc.get("contentMap")
    if isinstance(content_map, dict) and content_map:
        language, mapped = next(iter(content_map.items()))
        if not content and isinstance(mapped, str):
            content = mapped
        language = language if isinstance(language, str) and len(language) <= 16 else None
    return content, language


def _description(attachment: dict[str, Any]) -> str | None:
    # alt text: GoToSocial sends it only as `summary`; Mastodon reads `summary`, then `name`
    # (its MediaAttachmentParser#description, and docs.joinmastodon.org/spec/activitypub)
    for key in ("summary", "name"):
        value = attachment.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _focal_point(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, list) or len(value) != 2:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return None
    try:
        x, y = float(value[0]), float(value[1])
    except OverflowError:  # JSON integers have no bound: [1e400 written out, 0]
        return None
    return (x, y) if -1.0 <= x <= 1.0 and -1.0 <= y <= 1.0 else None


def _size(value: Any) -> int | None:
    """A width or height in pixels: a JSON integer from 1 to 2^31-1 (not `true`, not 10^30)."""
    return value if type(value) is int and 0 < value < 2**31 else None


def object_doc(doc: dict[str, Any]) -> ObjectDoc:
    """Read any object (Note, Article, ...); raises BadRequest without an id or a type."""
    ident = http_url(doc.get("id"))
    if ident is None:
        raise BadRequest("object has no id URL")
    kind = type_of(doc)
    if not kind:
        raise BadRequest("object has no type")
    content, language = _content(doc)
    tags = []
    raw_tags = doc.get("tag")
    for item in (raw_tags if isinstance(raw_tags, list) else [raw_tags] if raw_tags else [])[
        :MAX_LIST
    ]:
        if isinstance(item, dict):
            tags.append(
                Tag(
                    type=type_of(item),
                    name=_text(item.get("name")),
                    href=first_url(item.get("href")),
                )
            )
    attachments = []
    raw_att = doc.get("attachment")
    for item in (raw_att if isinstance(raw_att, list) else [raw_att] if raw_att else [])[:MAX_LIST]:
        if isinstance(item, dict):
            url = first_url(item.get("url"))
            if url:
                attachments.append(
                    Attachment(
                        type=type_of(item) or "Document",
                        url=url,
                        media_type=item.get("mediaType")
                        if isinstance(item.get("mediaType"), str)
                        else None,
                        name=_description(item),
                        blurhash=item.get("blurhash")
                        if isinstance(item.get("blurhash"), str)
                        else None,
                        width=_size(item.get("width")),
                        height=_size(item.get("height")),
                        focal_point=_focal_point(item.get("focalPoint")),
                        size=_byte_size(item.get("size")),
                        digest_multibase=_digest(item.get("digestMultibase")),
                    )
                )
    url = doc.get("url")
    return ObjectDoc(
        id=ident,
        type=kind,
        attributed_to=first_str(doc.get("attributedTo")),
        content=content,
        summary=_text(doc.get("summary")),
        name=doc.get("name") if isinstance(doc.get("name"), str) else None,
        url=http_url(url) if isinstance(url, str) else first_url(url),
        in_reply_to=first_url(doc.get("inReplyTo")),
        published=doc.get("published") if isinstance(doc.get("published"), str) else None,
        updated=doc.get("updated") if isinstance(doc.get("updated"), str) else None,
        sensitive=doc.get("sensitive") is True,
        language=language,
        conversation=first_str(doc.get("conversation") or doc.get("context")),
        to=id_list(doc.get("to")),
        cc=id_list(doc.get("cc")),
        tags=tags,
        audience=first_url(doc.get("audience")),
        attachments=attachments,
        document=doc,
        poll=_question(doc) if kind == "Question" else None,
    )


@dataclass(frozen=True)
class ActorDoc:
    id: str
    type: str
    preferred_username: str
    name: str
    summary: str
    url: str | None
    inbox: str
    outbox: str | None
    shared_inbox: str | None
    followers: str | None
    following: str | None
    featured: str | None
    icon: str | None
    image: str | None
    public_key_id: str | None
    public_key_pem: str | None
    public_key_owner: str | None  # as the document says; the resolver checks it is `id`
    manually_approves: bool
    # the fediverse's opt-ins: a missing flag means no
    discoverable: bool
    indexable: bool
    research_areas: list[str]
    affiliation: str
    # the person's other accounts (alsoKnownAs), and where the account moved (movedTo)
    also_known_as: list[str]
    moved_to: str | None
    # the document as received, to be stored whole (types we do not render keep every field);
    # read-only: decisions go by the typed fields above
    document: Mapping[str, object] = field(repr=False)


def actor_doc(doc: dict[str, Any]) -> ActorDoc:
    """Read an actor; raises BadRequest without an id, an inbox or a username."""
    ident = http_url(doc.get("id"))
    if ident is None:
        raise BadRequest("actor has no id URL")
    inbox = first_url(doc.get("inbox"))
    if not inbox:
        raise BadRequest("actor has no http(s) inbox")
    username = doc.get("preferredUsername")
    if not isinstance(username, str) or not username:
        raise BadRequest("actor has no preferredUsername")
    key = doc.get("publicKey")
    if isinstance(key, list):
        key = next((k for k in key if isinstance(k, dict)), None)
    key_id = key.get("id") if isinstance(key, dict) and isinstance(key.get("id"), str) else None
    key_pem = key.get("publicKeyPem") if isinstance(key, dict) else None
    endpoints = doc.get("endpoints")
    shared = first_url(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else None
    url = doc.get("url")
    areas, affiliation = read_expertise(doc)
    return ActorDoc(
        id=ident,
        type=type_of(doc) or "Person",
        preferred_username=username[:255],
        name=_text(doc.get("name"))[:255],
        summary=_text(doc.get("summary")),
        url=http_url(url) if isinstance(url, str) else first_url(url),
        inbox=inbox,
        outbox=first_url(doc.get("outbox")),
        shared_inbox=shared,
        followers=first_url(doc.get("followers")),
        following=first_url(doc.get("following")),
        featured=first_url(doc.get("featured")),
        icon=image_url(doc.get("icon")),
        image=image_url(doc.get("image")),
        public_key_id=http_url(key_id),
        public_key_owner=first_str(key.get("owner")) if isinstance(key, dict) else None,
        public_key_pem=key_pem if isinstance(key_pem, str) else None,
        manually_approves=doc.get("manuallyApprovesFollowers") is True,
        discoverable=doc.get("discoverable") is True,
        indexable=doc.get("indexable") is True,
        research_areas=areas,
        affiliation=affiliation,
        also_known_as=also_known_as(doc.get("alsoKnownAs")),
        moved_to=http_url(first_str(doc.get("movedTo"))),
        document=doc,
    )


MAX_ALIASES = 20  # Mastodon users list a handful; a longer list is not read further


def also_known_as(value: Any) -> list[str]:
    """An actor's alsoKnownAs: http(s) actor URIs only, without repeats, at most MAX_ALIASES."""
    out: list[str] = []
    for ident in id_list(value)[: MAX_ALIASES * 2]:
        uri = http_url(ident)
        if uri is not None and uri not in out:
            out.append(uri)
    return out[:MAX_ALIASES]


@dataclass(frozen=True)
class CollectionItems:
    """What a collection (or its first page) lists: each item as an id, or an embedded object
    read as one (untrusted: its origin is for the caller to check); `first` when the items are
    on a page of their own."""

    items: list[str | ObjectDoc]
    first: str | None
    first_page: dict[str, Any] | None


def collection_items(doc: dict[str, Any], *, limit: int) -> CollectionItems:
    """The first `limit` items of an (Ordered)Collection or CollectionPage."""
    raw = doc.get("orderedItems", doc.get("items"))
    items: list[str | ObjectDoc] = []
    for item in (raw if isinstance(raw, list) else [])[:limit]:
        if isinstance(item, str) and http_url(item):
            items.append(item)
        elif isinstance(item, dict):
            try:
                items.append(object_doc(item))
            except BadRequest:
                continue
    first = doc.get("first")
    return CollectionItems(
        items=items,
        first=http_url(first) if isinstance(first, str) else None,
        first_page=first if isinstance(first, dict) else None,
    )


@dataclass(frozen=True)
class TicketDoc:
    """A ForgeFed Ticket with the fedihub terms (README "Projects"): what a project's task says."""

    id: str
    title: str
    description: str
    resolved: bool
    status: str | None
    progress: int | None
    assigned_to: str | None
    due: datetime | None
    depends_on: list[str]


def offered_ticket(activity_doc: Mapping[str, object]) -> TicketDoc | None:
    """The Ticket an Offer embeds (ForgeFed § Opening an issue), or None when it offers none."""
    obj = activity_doc.get("object")
    if not isinstance(obj, dict) or type_of(obj) != "Ticket":
        return None
    return ticket_doc(obj, offered=True)


def ticket_doc(doc: Mapping[str, object], *, offered: bool = False) -> TicketDoc:
    """Read a Ticket; raises BadRequest without an id, unless `offered` (ForgeFed's Offer of a
    Ticket carries none: the tracker gives it one; `id` is then "")."""
    ident = http_url(doc.get("id"))
    if ident is None and not offered:
        raise BadRequest("ticket has no id URL")
    title = doc.get("name") if isinstance(doc.get("name"), str) else doc.get("summary")
    source = doc.get("source")
    description = source.get("content") if isinstance(source, dict) else doc.get("content")
    status = doc.get("fedihub:status")
    progress = doc.get("fedihub:progress")
    return TicketDoc(
        id=ident or "",
        title=_text(title)[:255],
        description=_text(description)[:20_000],
        resolved=doc.get("isResolved") is True,
        status=status if status in ("open", "in_progress", "done") else None,
        progress=progress
        if isinstance(progress, int) and not isinstance(progress, bool) and 0 <= progress <= 100
        else None,
        assigned_to=first_url(doc.get("assignedTo")),
        due=parse_time(doc.get("endTime")),
        depends_on=id_list(doc.get("dependsOn"))[:50],
    )


@dataclass(frozen=True)
class DatasetDoc:
    """A project's data set: an AS2 Document with FEP-1311's file metadata."""

    id: str
    name: str
    description: str
    url: str
    media_type: str | None
    size: int | None
    digest_multibase: str | None
    attributed_to: str | None


def dataset_doc(doc: Mapping[str, object]) -> DatasetDoc | None:
    """Read a Document naming a data set; None without an id or a URL."""
    ident = http_url(doc.get("id"))
    url = first_url(doc.get("url"))
    if ident is None or url is None or len(url) > 768:
        return None
    size = doc.get("size")
    media_type = doc.get("mediaType")
    digest = doc.get("digestMultibase")
    source = doc.get("source")  # the description as typed; `content` is its HTML
    text = source.get("content") if isinstance(source, dict) else doc.get("summary")
    return DatasetDoc(
        id=ident,
        name=_text(doc.get("name"))[:255] or "(untitled)",
        description=_text(text)[:20_000],
        url=url,
        media_type=media_type[:128] if isinstance(media_type, str) else None,
        size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
        digest_multibase=digest[:128] if isinstance(digest, str) else None,
        attributed_to=first_url(doc.get("attributedTo")),
    )
