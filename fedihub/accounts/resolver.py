"""Remote actors: resolve `user@domain` or a URL to an Actor row (WebFinger, then a signed fetch),
cached with expiry; find the actor behind a signature's keyId.

Every fetch is signed by the instance actor (peers in secure mode refuse unsigned GETs) and goes
through the process's guarded HTTP client (SSRF rules, size bounds). A server answers only for
its own origin: an ActivityStreams document is fetched without following redirects to another
origin, its `id` must be on the origin it was finally read from, an actor's key and the key's
owner must be on the actor's origin, and a key's owner must be the actor that publishes it.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urldefrag

from tortoise.exceptions import IntegrityError

from fedihub import models
from fedihub.activitypub import parse
from fedihub.activitypub.signatures import SignatureAuth
from fedihub.batching import Batcher
from fedihub.errors import BadRequest, Invalid, NotFound, RemoteError
from fedihub.jobs import queue
from fedihub.moderation import policy
from fedihub.outbox import peers
from fedihub.runtime import Runtime
from fedihub.security import html, http

ACTOR_TTL = timedelta(hours=24)
# the job that reads a peer actor's pinned statuses after it is stored (social/pins.py handles
# it); at most one per actor per FEATURED_EVERY_S
FEATURED_JOB = "sync_featured"
FEATURED_EVERY_S = 3600
HANDLE_RE = re.compile(r"^@?([^@\s/]+)@([a-z0-9.-]+(?::\d+)?)$", re.IGNORECASE)


async def signed_auth(rt: Runtime, url: str) -> SignatureAuth:
    """Signs GETs as the instance actor, with the scheme the peer is known to verify."""
    scheme = await peers.signature_scheme(rt, parse.host_of(url))
    return SignatureAuth(rt.urls.instance_key_id, rt.secrets.instance_key, scheme=scheme)


async def fetch_document(rt: Runtime, url: str) -> dict[str, Any]:
    """A signed GET of an ActivityStreams document (bounded, SSRF-guarded), from `url`'s origin
    only: a redirect to another origin, or a document whose id is on another origin than the URL
    it was read from, is a RemoteError; a server the node refuses to talk with is Forbidden."""
    await policy.check(rt, parse.host_of(url))
    fetched = await http.fetch(
        rt.http,
        url,
        auth=await signed_auth(rt, url),
        max_bytes=rt.settings.max_inbox_body,
        same_origin=True,
    )
    ident = fetched.document.get("id")
    if ident is not None and (
        not isinstance(ident, str) or parse.origin_of(ident) != parse.origin_of(fetched.url)
    ):
        raise RemoteError(f"document read from {parse.origin_of(fetched.url)} claims id {ident!r}")
    return fetched.document


def is_local_uri(rt: Runtime, uri: str) -> bool:
    return parse.host_of(uri) == rt.urls.domain


def _fresh(actor: models.Actor) -> bool:
    return actor.fetched_at is not None and datetime.now(UTC) - actor.fetched_at < ACTOR_TTL


async def fetch_actor(rt: Runtime, uri: str, *, refresh: bool = False) -> models.Actor:
    """The actor at `uri`, from the cache while fresh, else fetched and stored."""
    uri = urldefrag(uri)[0]
    existing = await models.Actor.get_or_none(uri=uri)
    if existing is not None and (existing.domain is None or (_fresh(existing) and not refresh)):
        return existing
    if is_local_uri(rt, uri):
        raise NotFound(f"no local actor at {uri}")
    doc = await fetch_document(rt, uri)
    return await store_actor(rt, parse.actor_doc(doc), fetched_from=uri)


async def store_actor(rt: Runtime, parsed: parse.ActorDoc, *, fetched_from: str) -> models.Actor:
    """Upsert a remote actor read from a document fetched from `fetched_from` (same origin
    required)."""
    if parse.origin_of(parsed.id) != parse.origin_of(fetched_from):
        raise RemoteError(
            f"actor document from {parse.origin_of(fetched_from)} claims id {parsed.id}"
        )
    if is_local_uri(rt, parsed.id):
        raise RemoteError("a remote document claims a local actor's id")
    if parsed.public_key_id and parse.origin_of(parsed.public_key_id) != parse.origin_of(parsed.id):
        raise RemoteError("actor's key is hosted on another origin")
    if parsed.public_key_owner is not None and parsed.public_key_owner != parsed.id:
        raise RemoteError("actor's key names another owner")
    values = {
        "actor_type": parsed.type[:32],
        "username": parsed.preferred_username,
        "domain": parse.host_of(parsed.id),
        "display_name": parsed.name,
        "summary": html.sanitize(parsed.summary),
        "url": parsed.url,
        "inbox": parsed.inbox,
        "outbox": parsed.outbox,
        "shared_inbox": parsed.shared_inbox,
        "followers_url": parsed.followers,
        "following_url": parsed.following,
        "featured_url": parsed.featured,
        "icon_url": parsed.icon,
        "header_url": parsed.image,
        "public_key_id": parsed.public_key_id,
        "public_key_pem": parsed.public_key_pem or "",
        "manually_approves": parsed.manually_approves,
        "discoverable": parsed.discoverable,
        "indexable": parsed.indexable,
        "research_areas": parsed.research_areas,
        "affiliation": parsed.affiliation,
        "also_known_as": [uri for uri in parsed.also_known_as if len(uri) <= 768],
        "moved_to_uri": parsed.moved_to,
        "document": dict(parsed.document),
        "fetched_at": datetime.now(UTC),
        "deleted_at": None,
    }
    for field_name in (
        "url",
        "inbox",
        "outbox",
        "shared_inbox",
        "followers_url",
        "following_url",
        "featured_url",
        "icon_url",
        "header_url",
        "public_key_id",
        "moved_to_uri",
    ):
        value = values[field_name]
        if isinstance(value, str) and len(value) > 768:
            values[field_name] = None if field_name != "inbox" else value[:768]
    try:
        actor, _ = await models.Actor.update_or_create(defaults=values, uri=parsed.id)
    except IntegrityError:  # a concurrent fetch stored it first
        actor = await models.Actor.get(uri=parsed.id)
        await actor.update_from_dict(values).save()
    if actor.featured_url:
        period = int(datetime.now(UTC).timestamp()) // FEATURED_EVERY_S
        await queue.enqueue(
            rt,
            FEATURED_JOB,
            {"actor": actor.id},
            dedupe_key=f"{FEATURED_JOB}:{actor.id}:{period}",
            max_attempts=3,
        )
    return actor


SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe"


def parse_handle(handle: str) -> tuple[str, str]:
    match = HANDLE_RE.match(handle.strip().removeprefix("acct:"))
    if not match:
        raise Invalid(f"{handle!r} is not an address like user@example.org", field="acct")
    return match.group(1), match.group(2).lower()


async def webfinger(rt: Runtime, username: str, domain: str) -> dict[str, Any]:
    """The WebFinger document of `username@domain`, from that server (bounded, SSRF-guarded)."""
    resource = quote(f"acct:{username}@{domain}", safe=":@")
    url = f"{rt.settings.scheme}://{domain}/.well-known/webfinger?resource={resource}"
    return await http.fetch_json(
        rt.http, url, accept="application/jrd+json, application/json", max_bytes=100_000
    )


async def interaction_template(rt: Runtime, handle: str) -> str:
    """The URL template (with `{uri}`) where `handle`'s own server lets its user follow or
    answer something of ours: the `http://ostatus.org/schema/1.0/subscribe` link of their
    WebFinger document (Mastodon's remote follow). NotFound when their server offers none."""
    username, domain = parse_handle(handle.strip().lstrip("@"))
    links = (await webfinger(rt, username, domain)).get("links")
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict) or link.get("rel") != SUBSCRIBE_REL:
            continue
        template = link.get("template")
        if (
            isinstance(template, str)
            and "{uri}" in template
            and template.startswith(("https://", "http://"))
        ):
            return template
    raise NotFound(f"{username}@{domain}'s server offers no remote follow")


async def resolve_account(rt: Runtime, handle: str) -> models.Actor:
    """`user@domain`, `@user@domain`, `acct:user@domain` or an actor URL, to an Actor."""
    handle = handle.strip()
    if handle.startswith(("https://", "http://")):
        return await fetch_actor(rt, handle)
    username, domain = parse_handle(handle)
    if domain == rt.urls.domain:
        local = await models.Actor.filter(username__iexact=username, domain=None).first()
        if local is None:
            raise NotFound(f"no local account {username}")
        return local
    await policy.check(rt, domain)
    cached = await models.Actor.filter(username__iexact=username, domain=domain).first()
    if cached is not None and _fresh(cached):
        return cached
    jrd = await webfinger(rt, username, domain)
    links = jrd.get("links")
    href = None
    for link in links if isinstance(links, list) else []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and isinstance(link.get("href"), str)
            and ("activity+json" in str(link.get("type")) or "ld+json" in str(link.get("type")))
        ):
            href = link["href"]
            break
    if href is None:
        raise NotFound(f"{username}@{domain} has no ActivityPub actor")
    return await fetch_actor(rt, href, refresh=cached is not None)


async def _read_by_key_id(key_ids: list[str]) -> list[models.Actor | None]:
    found: dict[str | None, models.Actor] = {}
    for actor in await models.Actor.filter(public_key_id__in=set(key_ids)).order_by("id"):
        found.setdefault(actor.public_key_id, actor)
    return [found.get(key_id) for key_id in key_ids]


# signed requests arriving together (an inbox under load) read their signers in one statement
_by_key_id = Batcher(_read_by_key_id)


async def actor_for_key_id(rt: Runtime, key_id: str, *, refresh: bool = False) -> models.Actor:
    """The actor whose `publicKey.id` is `key_id` (fetched if unknown, or when `refresh`)."""
    if not refresh:
        known = await _by_key_id(key_id)
        if known is not None:
            return known
    if is_local_uri(rt, key_id):
        local = await models.Actor.filter(public_key_id=key_id).first()
        if local is None:
            raise NotFound("unknown local key")
        return local
    if parse.http_url(key_id) is None:
        raise BadRequest("the key id is not an http(s) URL")
    doc = await fetch_document(rt, urldefrag(key_id)[0])
    if parse.type_of(doc) not in parse.ACTOR_TYPES_FOR_KEYS and isinstance(doc.get("owner"), str):
        # a separate key document: its owner is the actor, on the key's origin, and the owner's
        # document must publish this very key (checked below)
        owner = doc["owner"]
        if parse.origin_of(owner) != parse.origin_of(key_id):
            raise RemoteError("the key's owner is on another origin")
        actor = await store_actor(
            rt, parse.actor_doc(await fetch_document(rt, owner)), fetched_from=owner
        )
    else:
        if parse.actor_doc(doc).public_key_id != key_id:
            raise BadRequest("the key's owner does not publish this key")
        actor = await store_actor(rt, parse.actor_doc(doc), fetched_from=urldefrag(key_id)[0])
    if actor.public_key_id != key_id:
        raise BadRequest("the key's owner does not publish this key")
    return actor


async def prefetch_actors(rt: Runtime, uris: list[str]) -> dict[str, models.Actor]:
    """Fetch several actors at once (bounded), skipping those that fail."""
    results: dict[str, models.Actor] = {}

    async def one(uri: str) -> None:
        try:
            results[uri] = await fetch_actor(rt, uri)
        except (RemoteError, NotFound, BadRequest):
            pass

    await asyncio.gather(*(one(u) for u in uris[:20]))
    return results
