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

MAX_INDEXED = 300_000  # characters of a post that are indexed
MAX_TERMS = 32  # terms of one query
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
        else:
            out.append(word)
    return out


def index_text(title: str, summary: str, body: str, tags: list[str]) -> str:
    text = "\n".join([title, summary, " ".join(tags), body])[:MAX_INDEXED]
    return " ".join(terms(text))


def query_terms(query: str) -> list[str]:
    """The distinct terms of a search query, at most MAX_TERMS."""
    return list(dict.fromkeys(terms(query[:1000])))[:MAX_TERMS]
