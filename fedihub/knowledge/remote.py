"""Peers' long-form posts (`Article`, `Page`: other fedihub nodes, WriteFreely, Plume, WordPress,
Ghost, Lemmy) kept as knowledge posts beside the status the inbox stored for them.

Everything here is read from the stored document, which is untrusted: the title is made plain
text (HTML in `name` shows as its text), the content passes the same article allowlist as our
own posts and is bounded, a Markdown `source` is kept only when it says it is Markdown. A remote
post is searchable only when its author said yes (`indexable` or `discoverable` explicitly true
on the actor) and it is addressed to the public: a missing flag means no.
"""

from __future__ import annotations

import html as _html
import ipaddress
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fedihub import models
from fedihub.activitypub import parse
from fedihub.knowledge import documents, search, versions
from fedihub.models import Visibility
from fedihub.runtime import Runtime
from fedihub.security import html, ssrf

TYPES = frozenset({"Article", "Page"})
MAX_REMOTE_CONTENT = 500_000  # characters of a peer's HTML read (a 2 MB content is cut)
MAX_TAGS = 20


def _title(obj: parse.ObjectDoc) -> str:
    raw = obj.name or html.to_plain_text(obj.summary or "")[:120] or "Untitled"
    title = " ".join(html.to_plain_text(raw).split())
    return title[:300] or "Untitled"


def _markdown_source(document: Any) -> str:
    source = document.get("source") if hasattr(document, "get") else None
    if isinstance(source, dict) and source.get("mediaType") == "text/markdown":
        content = source.get("content")
        if isinstance(content, str) and len(content) <= MAX_REMOTE_CONTENT:
            return content
    return ""


def _opted_in(author: models.Actor) -> bool:
    document = author.document or {}
    return document.get("indexable") is True or document.get("discoverable") is True


async def sync(rt: Runtime, status: models.Status) -> models.Article | None:
    """Create or update the knowledge post of a remote Article/Page status (None for other
    types); a new version is kept when the text changed."""
    if status.local or status.object_type not in TYPES or not status.document:
        return None
    obj = parse.object_doc(dict(status.document))
    author = await models.Actor.get(id=status.actor_id)
    if not rt.settings.allow_private_networks:
        await _drop_private_attachments(status)
    content = html.sanitize_article(obj.content[:MAX_REMOTE_CONTENT])
    summary = html.to_plain_text(obj.summary or "")[:2000]
    title = _title(obj)
    tags = list(
        dict.fromkeys(
            t.name.lstrip("#").lower()[:64] for t in obj.tags if t.type == "Hashtag" and t.name
        )
    )[:MAX_TAGS]
    body = _markdown_source(status.document)
    values: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "body": body,
        "content": content,
        "tags": tags,
        "language": (obj.language or None) and (obj.language or "")[:16],
        "license": _license(status.document),
        "visibility": status.visibility,
        "search_text": search.index_text(title, summary, html.to_plain_text(content), tags),
        "indexable": _opted_in(author) and status.visibility is Visibility.PUBLIC,
    }
    article = await models.Article.get_or_none(status_id=status.id)
    now = datetime.now(UTC)
    if article is None:
        article = await models.Article.create(
            actor_id=author.id,
            status_id=status.id,
            local=False,
            draft=False,
            version=1,
            created_at=status.published,
            published_at=status.published,
            **values,
        )
        await versions.record(article, now)
    elif (article.title, article.summary, article.content) != (title, summary, content):
        article.update_from_dict(values)
        article.version += 1
        article.edited_at = status.edited_at or now
        await article.save()
        await versions.record(article, now)
    # Mastodon clients see it as Mastodon shows articles: the title (the entity adds it), the
    # summary as text rather than a content warning, and the link to the post's own page
    link = _html.escape(html.safe_link(obj.url) or obj.id)
    status.content = html.sanitize(
        documents.summary_html(summary) + f'<p><a href="{link}">{link}</a></p>'
    )
    status.summary = ""
    await status.save(update_fields=["content", "summary"])
    return article


_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")


def private_address(url: str) -> bool:
    """Whether a URL names a host on a private network by its address or its name (localhost,
    .local, .internal, a single label); names that resolve to private addresses are refused
    again when fetched (the SSRF-guarded client checks every connection)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return True
    if not host:
        return True
    try:
        return not ssrf.is_public_address(ipaddress.ip_address(host))
    except ValueError:
        pass
    return host == "localhost" or "." not in host or host.endswith(_LOCAL_SUFFIXES)


async def _drop_private_attachments(status: models.Status) -> None:
    """A peer's attachments on private addresses are not kept (a node must not point its readers,
    or its own cache, at an intranet): the post is kept without them."""
    media = await models.MediaAttachment.filter(status_id=status.id, storage_key__isnull=True)
    private = [m.id for m in media if m.remote_url and private_address(m.remote_url)]
    if private:
        await models.MediaAttachment.filter(id__in=private).delete()


def _license(document: Any) -> str | None:
    value = document.get("schema:license") or document.get("license")
    if isinstance(value, dict):
        value = value.get("id") or value.get("url")
    link = html.safe_link(value) if isinstance(value, str) else None
    return link[:256] if link else None


async def deleted(status: models.Status) -> None:
    """The remote post's status was deleted: so is its knowledge post."""
    await models.Article.filter(status_id=status.id, deleted_at__isnull=True).update(
        deleted_at=datetime.now(UTC)
    )
