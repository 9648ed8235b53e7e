"""The expertise directory: who is listed, how entries are indexed, and how they are searched.

Listed: local researchers who opted in (`discoverable`), remote ones whose own document says
`discoverable: true` (a missing flag means no, as the fediverse expects), and the entries read
from fedihub peers' public directories (discovery/peers.py). Only people (`Person`), never
groups, services or the instance actor; never a disabled or deleted account.

Entries follow the actors table in the background (`sync`, a periodic task): what changed since
the last run is re-indexed, so a request never writes the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise import connections
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.discovery import terms
from fedihub.models import Severity
from fedihub.runtime import Runtime
from fedihub.security.html import to_plain_text

SYNC_BATCH = 2000
# a term on at most this many entries is read whole; above it, entries are walked in order
RARE_TERM = 1000
MAX_NOTE_CHARS = 2000
WATERMARK_KEY = "directory_indexed_until"
PEOPLE = ("Person",)


@dataclass(frozen=True)
class Entry:
    """What one directory entry says of a researcher, as stored or as read from a peer."""

    uri: str
    node: str
    local: bool
    username: str
    display_name: str = ""
    note: str = ""
    url: str | None = None
    avatar_url: str | None = None
    research_areas: tuple[str, ...] = ()
    affiliation: str = ""
    languages: tuple[str, ...] = ()
    followers_count: int = 0
    statuses_count: int = 0
    joined_at: datetime | None = None
    last_status_at: datetime | None = None


def entry_terms(entry: Entry) -> set[str]:
    text = " ".join(
        (entry.username, entry.display_name, entry.note, entry.affiliation, *entry.research_areas)
    )
    found = terms.words(text)
    found.update(terms.area(a) for a in entry.research_areas if a.strip())
    found.update(terms.language(code) for code in entry.languages if code)
    return found


async def store(
    entry: Entry, *, actor_id: int | None = None, listed_by: str | None = None
) -> models.DirectoryEntry:
    """Write one entry and its terms, replacing what was stored for the same URI."""
    values = {
        "actor_id": actor_id,
        "node": entry.node,
        "local": entry.local,
        "username": entry.username[:255],
        "display_name": entry.display_name[:255],
        "note": entry.note[:MAX_NOTE_CHARS],
        "url": entry.url,
        "avatar_url": entry.avatar_url,
        "research_areas": list(entry.research_areas),
        "affiliation": entry.affiliation[:255],
        "languages": list(entry.languages),
        "followers_count": entry.followers_count,
        "statuses_count": entry.statuses_count,
        "joined_at": entry.joined_at or datetime.now(UTC),
        "last_status_at": entry.last_status_at,
        "active_at": entry.last_status_at or entry.joined_at or datetime.now(UTC),
        "listed_by": listed_by,
    }
    async with in_transaction():
        row, created = await models.DirectoryEntry.get_or_create(defaults=values, uri=entry.uri)
        if not created:
            await row.update_from_dict(values).save()
            await models.DirectoryTerm.filter(entry_id=row.id).delete()
        await models.DirectoryTerm.bulk_create(
            [
                models.DirectoryTerm(term=term, entry_id=row.id)
                for term in sorted(entry_terms(entry))
            ]
        )
    return row


def plain(html_text: str) -> str:
    """Profile HTML as the plain text that is indexed."""
    return to_plain_text(html_text)


async def _languages(actor: models.Actor) -> tuple[str, ...]:
    """Languages the researcher writes in: her interface language (local), then her posts'."""
    found: list[str] = []
    if actor.is_local:
        user = await models.User.get_or_none(actor_id=actor.id)
        if user is not None and user.locale:
            found.append(user.locale.split("-")[0].lower())
    recent = (
        await models.Status.filter(actor_id=actor.id, language__not_isnull=True)
        .order_by("-id")
        .limit(20)
        .values_list("language", flat=True)
    )
    found.extend(str(code).split("-")[0].lower() for code in recent if code)
    return tuple(dict.fromkeys(found))[:5]


async def listable(actor: models.Actor) -> bool:
    if actor.deleted_at is not None or not actor.discoverable or actor.actor_type not in PEOPLE:
        return False
    if actor.is_local:
        return await models.User.filter(actor_id=actor.id, disabled=False).exists()
    return True


async def index_actor(rt: Runtime, actor: models.Actor) -> models.DirectoryEntry | None:
    """Bring the actor's entry up to date: written when she is listed, removed when not."""
    if not await listable(actor):
        await models.DirectoryEntry.filter(uri=actor.uri).delete()
        return None
    entry = Entry(
        uri=actor.uri,
        node=actor.domain or rt.urls.domain,
        local=actor.is_local,
        username=actor.username,
        display_name=actor.display_name,
        note=to_plain_text(actor.summary)[:MAX_NOTE_CHARS],
        url=actor.url or (rt.urls.profile(actor.username) if actor.is_local else actor.uri),
        avatar_url=actor.icon_url,
        research_areas=tuple(str(a) for a in actor.research_areas or []),
        affiliation=actor.affiliation,
        languages=await _languages(actor),
        followers_count=actor.followers_count,
        statuses_count=actor.statuses_count,
        joined_at=actor.created_at,
        last_status_at=actor.last_status_at,
    )
    return await store(entry, actor_id=actor.id)


async def sync(rt: Runtime) -> int:
    """Re-index the actors changed since the last run (a bounded batch); how many were read."""
    mark = await models.NodeSetting.get_or_none(key=WATERMARK_KEY)
    since = (
        datetime.fromisoformat(str(mark.value["at"]))
        if mark is not None and isinstance(mark.value, dict) and "at" in mark.value
        else datetime(1970, 1, 1, tzinfo=UTC)
    )
    changed = (
        await models.Actor.filter(updated_at__gte=since)
        .order_by("updated_at", "id")
        .limit(SYNC_BATCH)
    )
    for actor in changed:
        await index_actor(rt, actor)
    if changed:
        await models.NodeSetting.update_or_create(
            defaults={"value": {"at": changed[-1].updated_at.isoformat()}}, key=WATERMARK_KEY
        )
    # users disabled since: their actor row did not change
    await models.DirectoryEntry.filter(
        local=True,
        actor_id__in=Subquery(models.User.filter(disabled=True).values("actor_id")),
    ).delete()
    return len(changed)


async def sync_task(rt: Runtime) -> None:
    # the periodic runner's signature; more than a batch waits for the next period
    await sync(rt)


async def refresh_activity(rt: Runtime) -> None:
    """Copy the counters and last post time of known actors into their entries (for
    `order=active`); counters change without touching the actor's row."""
    entries = await models.DirectoryEntry.filter(actor_id__not_isnull=True).values_list(
        "id", "actor_id", "last_status_at", "statuses_count", "followers_count"
    )
    by_actor = {row[1]: row for row in entries}
    if not by_actor:
        return
    for chunk_start in range(0, len(by_actor), 500):
        ids = list(by_actor)[chunk_start : chunk_start + 500]
        actors = await models.Actor.filter(id__in=ids).values_list(
            "id", "last_status_at", "statuses_count", "followers_count"
        )
        for actor_id, last, statuses, followers in actors:
            row = by_actor[actor_id]
            if (row[2], row[3], row[4]) != (last, statuses, followers):
                changes = {"statuses_count": statuses, "followers_count": followers}
                if last is not None:
                    changes.update(last_status_at=last, active_at=last)
                await models.DirectoryEntry.filter(id=row[0]).update(**changes)


@dataclass(frozen=True)
class Query:
    text: str = ""
    area: str = ""
    affiliation: str = ""
    language: str = ""
    node: str = ""
    local: bool | None = None
    # Mastodon's orders: "active" (recent posts first) or "new" (recently joined first)
    order: str = "active"
    with_account_only: bool = False
    # servers the node's policy limits or suspends: their people are not shown (moderation)
    hidden_nodes: frozenset[str] = frozenset()


async def hidden_nodes() -> frozenset[str]:
    """Servers whose people the directory leaves out: those the node silences or suspends."""
    limited = models.DomainBlock.filter(severity__in=[Severity.SILENCE, Severity.SUSPEND])
    return frozenset(str(d) for d in await limited.values_list("domain", flat=True))


async def search(query: Query, *, limit: int = 40, offset: int = 0) -> list[models.DirectoryEntry]:
    """Entries matching every part of the query, in its order.

    Terms are looked up first, each up to RARE_TERM entries: when some term is rare, its entries
    are the candidates (narrowed by the other terms through the (term, entry) index) and only
    they are sorted; when every term is common, the entries are walked in the query's order and
    each is checked against the terms, so the first page comes after a few dozen rows either way.
    (PostgreSQL's planner finds both plans by itself; SQLite's needs to be told.)
    """
    wanted = list(dict.fromkeys(_terms(query)))
    rows = models.DirectoryEntry.all()
    if query.node:
        rows = rows.filter(node=query.node.strip().lower())
    if query.local is not None:
        rows = rows.filter(local=query.local)
    if query.with_account_only:
        rows = rows.filter(actor_id__not_isnull=True)
    if query.hidden_nodes:
        rows = rows.filter(node__not_in=sorted(query.hidden_nodes))
    ordering = ("-joined_at", "-id") if query.order == "new" else ("-active_at", "-id")
    if not wanted:
        return list(await rows.order_by(*ordering).offset(offset).limit(limit))
    candidates: set[int] | None = None
    common: list[str] = []
    for term in wanted:
        ids = (
            await models.DirectoryTerm.filter(term=term)
            .limit(RARE_TERM + 1)
            .values_list("entry_id", flat=True)
        )
        if len(ids) > RARE_TERM:
            common.append(term)
            continue
        found = {int(str(i)) for i in ids}
        candidates = found if candidates is None else candidates & found
        if not candidates:
            return []
    if candidates is not None:
        for term in common:
            kept = await models.DirectoryTerm.filter(
                term=term, entry_id__in=list(candidates)
            ).values_list("entry_id", flat=True)
            candidates = {int(str(i)) for i in kept}
            if not candidates:
                return []
        rows = rows.filter(id__in=list(candidates))
        return list(await rows.order_by(*ordering).offset(offset).limit(limit))
    return await _walk(query, common, ordering[0].lstrip("-"), limit=limit, offset=offset)


def _terms(query: Query) -> list[str]:
    wanted: list[str] = terms.query_words(query.text)
    if query.affiliation:
        wanted.extend(terms.query_words(query.affiliation))
    if query.area:
        wanted.append(terms.area(query.area))
    if query.language:
        wanted.append(terms.language(query.language))
    return wanted


async def _walk(
    query: Query, wanted: list[str], column: str, *, limit: int, offset: int
) -> list[models.DirectoryEntry]:
    """Entries in `column` order (newest first) that have every term: an index walk."""
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    values: list[object] = []

    def param(value: object) -> str:
        values.append(value)
        return f"${len(values)}" if postgres else "?"

    where = []
    if query.node:
        where.append(f"e.node = {param(query.node.strip().lower())}")
    if query.local is not None:
        where.append(f"e.local = {param(query.local)}")
    if query.with_account_only:
        where.append("e.actor_id IS NOT NULL")
    if query.hidden_nodes:
        listed = ", ".join(param(node) for node in sorted(query.hidden_nodes))
        where.append(f"e.node NOT IN ({listed})")
    for term in wanted:
        where.append(
            "EXISTS (SELECT 1 FROM directory_terms t "
            f"WHERE t.term = {param(term)} AND t.entry_id = e.id)"
        )
    sql = (
        f"SELECT e.id FROM directory_entries e WHERE {' AND '.join(where)} "
        f"ORDER BY e.{column} DESC, e.id DESC LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    ids = [int(row["id"]) for row in await conn.execute_query_dict(sql, values)]
    by_id = await models.DirectoryEntry.in_bulk(ids, "id")
    return [by_id[i] for i in ids if i in by_id]
