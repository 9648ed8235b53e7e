"""Reading other fedihub nodes' public directories, so a search here finds their researchers
before anyone here follows them.

A peer is read when it is known to run fedihub (its NodeInfo said so, or it signs with RFC 9421:
outbox/peers.py keeps that on its Host row). Each read is bounded (MAX_PAGES pages of PAGE
entries, each page at most MAX_PAGE_BYTES, through the node's SSRF-guarded client); a peer that
fails is read again after a growing pause. A peer speaks only for its own accounts: an entry
whose URI is on another host is dropped, and an entry for someone whose own actor document we
hold (and who did not opt in there) is never overwritten by what a directory says.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fedihub import models
from fedihub.accounts import resolver
from fedihub.activitypub.parse import host_of, http_url
from fedihub.discovery import directory
from fedihub.errors import FedihubError
from fedihub.moderation import policy
from fedihub.runtime import Runtime
from fedihub.security import http

log = logging.getLogger(__name__)

PATH = "/api/fedihub/v1/directory"
PAGE = 80
MAX_PAGES = 25
MAX_PAGE_BYTES = 512_000
READ_EVERY = timedelta(hours=6)
MAX_PAUSE = timedelta(days=7)
PEERS_PER_RUN = 10
MAX_AREAS = 20
MAX_REREADS = 50


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and 0 <= value < 2**31 else 0


def read_entry(domain: str, item: Any) -> directory.Entry | None:
    """One entry of `domain`'s directory, or None when it is malformed or not the peer's own."""
    if not isinstance(item, dict):
        return None
    uri = http_url(item.get("uri"))
    username = _text(item.get("username"), 255)
    if uri is None or host_of(uri) != domain or not username:
        return None
    areas = item.get("research_areas")
    languages = item.get("languages")
    return directory.Entry(
        uri=uri,
        node=domain,
        local=False,
        username=username,
        display_name=_text(item.get("display_name"), 255),
        note=_text(item.get("note"), directory.MAX_NOTE_CHARS),
        url=http_url(item.get("url")),
        avatar_url=http_url(item.get("avatar")),
        research_areas=tuple(
            _text(a, 64)
            for a in (areas if isinstance(areas, list) else [])[:MAX_AREAS]
            if _text(a, 64)
        ),
        affiliation=_text(item.get("affiliation"), 255),
        languages=tuple(
            _text(c, 8)
            for c in (languages if isinstance(languages, list) else [])[:5]
            if _text(c, 8)
        ),
        followers_count=_count(item.get("followers_count")),
        statuses_count=_count(item.get("statuses_count")),
        joined_at=_time(item.get("created_at")),
        last_status_at=_time(item.get("last_status_at")),
    )


async def read_peer(rt: Runtime, domain: str) -> int:
    """Read `domain`'s whole directory (bounded) and store its entries; how many were stored."""
    base = f"{rt.settings.scheme}://{domain}{PATH}"
    seen: set[str] = set()
    complete = False
    for page in range(MAX_PAGES):
        query = urlencode({"local": "true", "order": "new", "limit": PAGE, "offset": page * PAGE})
        items = await http.fetch_json_array(rt.http, f"{base}?{query}", max_bytes=MAX_PAGE_BYTES)
        for item in items[:PAGE]:
            entry = read_entry(domain, item)
            if entry is None or entry.uri in seen:
                continue
            seen.add(entry.uri)
            known = await models.DirectoryEntry.get_or_none(uri=entry.uri)
            if known is not None and known.actor_id is not None:
                continue  # her own document, which we hold, speaks for her
            if await models.Actor.filter(uri=entry.uri).exists():
                continue  # we hold her document and it did not opt her in
            await directory.store(entry, listed_by=domain)
        if len(items) < PAGE:
            complete = True
            break
    if complete:
        # who left the peer's directory leaves ours; whose document we hold is read again, as
        # she may have opted out in an Update that never reached us
        await models.DirectoryEntry.filter(listed_by=domain, uri__not_in=list(seen)).delete()
        unlisted = await models.DirectoryEntry.filter(
            node=domain, actor_id__not_isnull=True, uri__not_in=list(seen)
        ).limit(MAX_REREADS)
        for row in unlisted:
            try:
                actor = await resolver.fetch_actor(rt, row.uri, refresh=True)
            except FedihubError:
                continue
            await directory.index_actor(rt, actor)
    return len(seen)


async def due_peers(now: datetime) -> list[str]:
    fedihub_hosts = await models.Host.filter(accepts_rfc9421=True).values_list("domain", flat=True)
    for domain in fedihub_hosts:
        await models.DirectoryPeer.get_or_create(domain=str(domain))
    rows = await models.DirectoryPeer.filter(next_read_at__isnull=True).limit(PEERS_PER_RUN)
    if len(rows) < PEERS_PER_RUN:
        rows += (
            await models.DirectoryPeer.filter(next_read_at__lte=now)
            .order_by("next_read_at")
            .limit(PEERS_PER_RUN - len(rows))
        )
    return [row.domain for row in rows]


async def read_due(rt: Runtime, *, everyone: bool = False) -> dict[str, int | str]:
    """Read the peers whose time has come (all known fedihub peers with `everyone`)."""
    now = datetime.now(UTC)
    domains = await due_peers(now)
    if everyone:
        domains = [
            str(d) for d in await models.DirectoryPeer.all().values_list("domain", flat=True)
        ]
    outcome: dict[str, int | str] = {}
    refused = await policy.refused_among(rt, set(domains))
    for domain in domains:
        if domain in refused:
            continue  # the node does not talk with it: nothing is fetched from there
        peer = await models.DirectoryPeer.get(domain=domain)
        try:
            count = await read_peer(rt, domain)
        except FedihubError as exc:
            peer.failures += 1
            pause = min(READ_EVERY * (2 ** min(peer.failures, 8)), MAX_PAUSE)
            peer.next_read_at = now + pause
            peer.last_error = exc.public[:255]
            await peer.save()
            log.info("directory of %s unreadable: %s", domain, exc.public)
            outcome[domain] = exc.public
            continue
        peer.failures, peer.entries, peer.last_error = 0, count, ""
        peer.last_read_at, peer.next_read_at = now, now + READ_EVERY
        await peer.save()
        outcome[domain] = count
    return outcome


async def read_task(rt: Runtime) -> None:
    await read_due(rt)
