"""Exports of a knowledge post: its Markdown with a front matter, or a standalone HTML page."""

from __future__ import annotations

import html as _html
import json

from fedihub import models
from fedihub.knowledge import documents
from fedihub.runtime import Runtime

FORMATS = {"markdown": "md", "html": "html"}


def export(rt: Runtime, article: models.Article, author: models.Actor, fmt: str) -> tuple[str, str]:
    """(text, content type) of the post in `fmt` (a key of FORMATS)."""
    byline = f"{author.username}@{author.domain or rt.urls.domain}"
    if fmt == "markdown":
        front = {
            "title": article.title,
            "summary": article.summary,
            "author": byline,
            "tags": article.tags,
            "language": article.language,
            "license": article.license,
            "version": article.version,
            "url": documents.page_url(rt, article),
        }
        lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
        return "---\n" + "\n".join(
            lines
        ) + "\n---\n\n" + article.body, "text/markdown; charset=utf-8"
    title = _html.escape(article.title)
    lang = f' lang="{_html.escape(article.language)}"' if article.language else ""
    page = (
        f'<!DOCTYPE html>\n<html{lang}><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><article><h1>{title}</h1><p><em>{_html.escape(byline)}</em></p>"
        f"{documents.summary_html(article.summary)}{article.content}</article></body></html>\n"
    )
    return page, "text/html; charset=utf-8"
