"""The ActivityStreams document of a local knowledge post: an `Article` after FEP-b2b8, with
FEP-1311 attachments, a FEP-bad1 `history`, `schema:license` and a `preview` Note.

The document is built from domain rows (no database access here) and stored on the post's status
(`Status.document`), which social/documents.py serves and wraps in Create/Update like any status.
Mastodon drops activities over 1 MiB (activity.rb MAX_JSON_SIZE), so a very long post goes out
with its `content` trimmed and without its Markdown `source`: its `url` leads to the whole text.
"""

from __future__ import annotations

import html as _html
import json
from collections.abc import Sequence
from typing import Any

from fedihub import models
from fedihub.activitypub.documents import format_datetime
from fedihub.activitypub.vocabulary import AS_CONTEXT, TOOT_CONTEXT
from fedihub.media import placement
from fedihub.runtime import Runtime
from fedihub.security import html
from fedihub.social import visibility

ARTICLE_CONTEXT: list[object] = [
    AS_CONTEXT,
    TOOT_CONTEXT,
    {
        "schema": "https://schema.org/",
        "prov": "http://www.w3.org/ns/prov#",
        "history": {"@id": "https://w3id.org/fep/bad1/history", "@type": "@id"},
        "digestMultibase": "https://w3id.org/security#digestMultibase",
        "size": "https://joinpeertube.org/ns#size",
    },
]
# room left under Mastodon's 1 MiB for the activity around the object and its addressing
MAX_DOCUMENT_BYTES = 900_000
TRIMMED_CONTENT = 100_000  # characters of HTML kept when a post is too long to send whole
SPDX = "https://spdx.org/licenses/"


def license_url(license: str | None) -> str | None:
    """The licence as a URL (schema:license takes one): an SPDX id becomes its SPDX page."""
    if not license:
        return None
    return license if license.startswith("https://") else f"{SPDX}{license}.html"


def page_url(rt: Runtime, article: models.Article) -> str:
    return f"{rt.urls.base}/articles/{article.id}"


def summary_html(summary: str) -> str:
    return html.text_to_html(summary)


def status_content(rt: Runtime, article: models.Article) -> str:
    """The status text Mastodon clients see: the summary and the link (the title is the status's
    `name`, which the entity puts above it), as Mastodon renders a converted Article."""
    link = _html.escape(page_url(rt, article))
    return html.sanitize(f'{summary_html(article.summary)}<p><a href="{link}">{link}</a></p>')


def attachment(rt: Runtime, media: models.MediaAttachment) -> dict[str, Any] | None:
    """FEP-1311: Image for images, Document for everything else, with size and digest."""
    url = media.remote_url or (placement.url(rt, media.storage_key) if media.storage_key else None)
    if url is None:
        return None
    document: dict[str, Any] = {
        "type": "Image" if media.kind == "image" else "Document",
        "mediaType": media.content_type,
        "url": url,
        "name": media.description or "",
    }
    if media.size:
        document["size"] = media.size
    digest = (media.meta or {}).get("digest_multibase")
    if isinstance(digest, str):
        document["digestMultibase"] = digest
    if media.blurhash:
        document["blurhash"] = media.blurhash
    return document


def build(
    rt: Runtime,
    article: models.Article,
    status: models.Status,
    author: models.Actor,
    media: Sequence[models.MediaAttachment],
    cover: models.MediaAttachment | None,
) -> dict[str, Any]:
    """The Article of a published local post, under MAX_DOCUMENT_BYTES."""
    followers = author.followers_url or rt.urls.followers(author.username)
    audience = visibility.addressing(status.visibility, followers, [])
    attachments = [a for a in (attachment(rt, m) for m in media) if a is not None]
    image = attachment(rt, cover) if cover is not None else None
    summary = summary_html(article.summary)
    content = article.content
    licence = license_url(article.license)
    if licence:
        link = _html.escape(licence)
        content += f'<p>License: <a href="{link}">{_html.escape(article.license or "")}</a></p>'
    preview: dict[str, Any] = {
        "type": "Note",
        "content": f"<p><strong>{_html.escape(article.title)}</strong></p>{summary}",
        "attachment": [image] if image else [],
    }
    document: dict[str, Any] = {
        "@context": ARTICLE_CONTEXT,
        "id": status.uri,
        "type": "Article",
        "name": article.title,
        "summary": summary,
        "content": content,
        "mediaType": "text/html",
        "source": {"content": article.body, "mediaType": "text/markdown"},
        "preview": preview,
        "url": {"type": "Link", "href": page_url(rt, article), "mediaType": "text/html"},
        "attributedTo": author.uri,
        "to": audience.to,
        "cc": audience.cc,
        "published": format_datetime(article.published_at or status.published),
        "sensitive": False,
        "tag": [{"type": "Hashtag", "href": rt.urls.tag(t), "name": f"#{t}"} for t in article.tags],
        "attachment": attachments,
        "history": f"{status.uri}/history",
        "conversation": status.conversation_uri or status.uri,
    }
    if image:
        document["image"] = image
    if licence:
        document["schema:license"] = licence
    if article.language:
        document["contentMap"] = {article.language: content}
    if article.edited_at is not None:
        document["updated"] = format_datetime(article.edited_at)
    return _within_bounds(document, page_url(rt, article))


def _within_bounds(document: dict[str, Any], url: str) -> dict[str, Any]:
    if len(json.dumps(document).encode()) <= MAX_DOCUMENT_BYTES:
        return document
    # b2b8's "external content": the whole text is on the page
    document.pop("source", None)
    link = _html.escape(url)
    more = f'<p><a href="{link}">{link}</a></p>'
    document["content"] = html.sanitize_article(document["content"][:TRIMMED_CONTENT]) + more
    if "contentMap" in document:
        document["contentMap"] = {k: document["content"] for k in document["contentMap"]}
    while len(json.dumps(document).encode()) > MAX_DOCUMENT_BYTES and document["attachment"]:
        document["attachment"].pop()
    return document
