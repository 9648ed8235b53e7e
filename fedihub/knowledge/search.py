"""Full-text search of knowledge posts, one interface over SQLite FTS5 (the embedded default) and
PostgreSQL full-text search (production).

Both index one column, `articles.search_text`, written here: lower-cased words of the title,
summary, body and tags, with every run of Chinese, Japanese or Korean characters written as its
overlapping character bigrams (and a lone character as itself). A query is cut the same way and
every one of its terms must match, so a query of two or more Chinese characters finds the posts
containing them, on either database, without a segmenter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.connection import get_connection

from fedihub import models
from fedihub.social import visibility as social_visibility

MAX_INDEXED = 300_000  # characters of a post that are indexed
MAX_TERMS = 32  # terms of one query
MAX_WORD = 100
RANKED_MATCHES = (
    2000  # longer "words" are not indexed (PostgreSQL ignores lexemes past 2 kB anyway)
)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (bigrams for CJK runs)."""
    out: list[str] = []
    for m in _TOKEN.finditer(text.lower()):
        word = m.group()
        if _IS_CJK.match(word):
            if len(word) == 1:
                out.append(word)
            else:
                out.extend(word[i : i + 2] for i in range(len(word) - 1))
        elif len(word) <= MAX_WORD:
            out.append(word)
    return out


def index_text(title: str, summary: str, body: str, tags: list[str]) -> str:
    text = "\n".join([title, summary, " ".join(tags), body])[:MAX_INDEXED]
    return " ".join(terms(text))


def query_terms(query: str) -> list[str]:
    """The distinct terms of a search query, at most MAX_TERMS."""
    return list(dict.fromkeys(terms(query[:1000])))[:MAX_TERMS]


@dataclass(frozen=True)
class Query:
    """A search or listing of knowledge posts: `q` ranks by relevance, else newest first."""

    q: str = ""
    tag: str | None = None
    account_id: int | None = None
    domain: str | None = None  # None: any; "": this node's posts only
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 20
    offset: int = 0


class _Sql:
    """Parameters in the database's own placeholder style (?n or $n)."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.args: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.args.append(value)
        # numbered on both (?N is SQLite's): a placeholder may be used twice
        return f"${len(self.args)}" if self.postgres else f"?{len(self.args)}"


def _visible_levels(sql: _Sql, viewer: models.Actor | None) -> str:
    """What a viewer may find: public posts; and, signed in, their own, institution-only ones
    when they are of this node, followers-only ones of authors they follow. Blocks are applied
    afterwards by social/visibility.py, the one rule."""
    if viewer is None:
        return "a.visibility = 'public'"
    me = sql(viewer.id)
    parts = ["a.visibility = 'public'", f"a.actor_id = {me}"]
    if viewer.domain is None:
        parts.append("a.visibility = 'institution'")
    parts.append(
        "(a.visibility = 'private' AND a.actor_id IN (SELECT target_id FROM follows "
        f"WHERE follower_id = {me} AND state = 'accepted'))"
    )
    return "(" + " OR ".join(parts) + ")"


async def find(viewer: models.Actor | None, query: Query) -> list[models.Article]:
    """Published posts `viewer` may see that match `query`, best first (or newest first)."""
    conn = get_connection("default")
    sql = _Sql(conn.capabilities.dialect == "postgres")
    where = [
        "a.draft = FALSE",
        "a.deleted_at IS NULL",
        "a.status_id IS NOT NULL",
        _visible_levels(sql, viewer),
    ]
    joins = ""
    order = "a.published_at DESC, a.id DESC"
    q_terms = query_terms(query.q) if query.q else []
    if query.q and not q_terms:
        return []
    # SQLite, without other filters: relevance is ranked among the newest RANKED_MATCHES matches
    # (ids are time-ordered), as a very common word would otherwise rank every post containing
    # it. (The same bound on PostgreSQL measured slower: the GIN bitmap scan reads every match.)
    bounded = not any(
        (query.tag, query.account_id, query.domain, query.language, query.since, query.until)
    )
    if q_terms:
        where.append("a.indexable = TRUE")
        if sql.postgres:
            tsq = f"to_tsquery('simple', {sql(' & '.join(q_terms))})"
            where.append(f"a.search_vector @@ {tsq}")
            order = f"ts_rank(a.search_vector, {tsq}) DESC, a.published_at DESC"
        else:
            # the matches ranked by FTS5 first (bm25), then joined to their rows by key: with
            # the MATCH in the outer WHERE, SQLite may test it row by row over the articles
            match = " ".join(f'"{t}"' for t in q_terms)
            newest = f" ORDER BY rowid DESC LIMIT {sql(RANKED_MATCHES)}" if bounded else ""
            joins = (
                " JOIN (SELECT rowid AS fts_id, rank AS fts_rank FROM article_fts "
                f"WHERE article_fts MATCH {sql(match)}{newest}) f ON a.id = f.fts_id"
            )
            order = "f.fts_rank, a.published_at DESC"
    if query.tag:
        tag = query.tag.lstrip("#").lower()[:255]
        where.append(f"a.status_id IN (SELECT status_id FROM status_tags WHERE name = {sql(tag)})")
    if query.account_id is not None:
        where.append(f"a.actor_id = {sql(query.account_id)}")
    if query.domain is not None:
        if query.domain == "":
            where.append("a.local = TRUE")
        else:
            domain = sql(query.domain.lower())
            where.append(f"a.actor_id IN (SELECT id FROM actors WHERE domain = {domain})")
    if query.language:
        where.append(f"a.language = {sql(query.language)}")
    if query.since is not None:
        where.append(f"a.published_at >= {sql(query.since)}")
    if query.until is not None:
        where.append(f"a.published_at < {sql(query.until)}")
    text = (
        f"SELECT a.id FROM articles a{joins} WHERE {' AND '.join(where)} ORDER BY {order} "
        f"LIMIT {sql(query.limit)} OFFSET {sql(query.offset)}"
    )
    rows = await conn.execute_query_dict(text, sql.args)
    ids = [int(row["id"]) for row in rows]
    if not ids:
        return []
    found = {a.id: a for a in await models.Article.filter(id__in=ids)}
    ordered = [found[i] for i in ids if i in found]
    return await visible(viewer, ordered)


async def visible(
    viewer: models.Actor | None, items: Sequence[models.Article]
) -> list[models.Article]:
    """Those of `items` `viewer` may see, in order: drafts only by their author, published posts
    by whoever may see their status (social/visibility.py)."""
    status_ids = [a.status_id for a in items if a.status_id is not None]
    statuses = (
        {s.id: s for s in await models.Status.filter(id__in=status_ids)} if status_ids else {}
    )
    allowed = {s.id for s in await social_visibility.visible(viewer, list(statuses.values()))}
    out = []
    for article in items:
        if article.deleted_at is not None:
            continue
        if article.draft or article.status_id is None:
            if viewer is not None and article.actor_id == viewer.id and article.local:
                out.append(article)
        elif article.status_id in allowed:
            out.append(article)
    return out
