"""What a local author types, turned into the HTML a status carries (Mastodon's markup).

Mentions `@user` / `@user@domain`, hashtags `#tag` and bare URLs become links; everything else is
escaped, paragraphs come from blank lines. The markup matches Mastodon's so that every client and
peer renders it the same way.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

from fedihub.security import html as sanitiser

MENTION_RE = re.compile(
    r"(?<![\w/@])@([a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?:@([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d+)?))?",
    re.IGNORECASE,
)
HASHTAG_RE = re.compile(r"(?<![\w/&#])#([\w][\w·]{0,99})", re.UNICODE)
URL_RE = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
_TOKEN_RE = re.compile(
    f"({URL_RE.pattern})|({MENTION_RE.pattern})|({HASHTAG_RE.pattern})", re.IGNORECASE | re.UNICODE
)
LINK_REL = "nofollow noopener noreferrer"


def mentions(text: str) -> list[tuple[str, str | None]]:
    """(username, domain or None) for each distinct mention, in order of appearance."""
    seen: dict[tuple[str, str | None], None] = {}
    for match in MENTION_RE.finditer(_without_urls(text)):
        key = (match.group(1), match.group(2).lower() if match.group(2) else None)
        seen.setdefault(key, None)
    return list(seen)


def hashtags(text: str) -> list[str]:
    """Lower-cased distinct hashtags (without '#'), in order; digits-only tags are not tags."""
    seen: dict[str, None] = {}
    for match in HASHTAG_RE.finditer(_without_urls(text)):
        name = match.group(1).lower()
        if not name.isdigit():
            seen.setdefault(name, None)
    return list(seen)


def _without_urls(text: str) -> str:
    return URL_RE.sub(" ", text)


def render(
    text: str,
    mention_urls: Mapping[tuple[str, str | None], str],
    tag_url: Callable[[str], str],
) -> str:
    """HTML for local text; `mention_urls` maps resolved mentions to profile URLs (others, and
    any URL sanitiser.safe_link refuses, stay text)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{_render_paragraph(p, mention_urls, tag_url)}</p>" for p in paragraphs)


def _render_paragraph(
    text: str, mention_urls: Mapping[tuple[str, str | None], str], tag_url: Callable[[str], str]
) -> str:
    out: list[str] = []
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        out.append(_escape(text[pos : match.start()]))
        token = match.group(0)
        if match.group(1):
            url = html.escape(token, quote=True)
            out.append(f'<a href="{url}" rel="{LINK_REL}" target="_blank">{html.escape(token)}</a>')
        elif token.startswith("@"):
            user, _, domain = token[1:].partition("@")
            href = sanitiser.safe_link(mention_urls.get((user, domain.lower() or None)))
            if href:
                out.append(
                    '<span class="h-card" translate="no">'
                    f'<a href="{html.escape(href, quote=True)}" '
                    f'class="u-url mention">@<span>{html.escape(user)}</span></a></span>'
                )
            else:
                out.append(_escape(token))
        else:
            name = token[1:]
            if name.isdigit():
                out.append(_escape(token))
            else:
                href = html.escape(tag_url(name.lower()), quote=True)
                out.append(
                    f'<a href="{href}" class="mention hashtag" rel="tag">'
                    f"#<span>{html.escape(name)}</span></a>"
                )
        pos = match.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _escape(segment: str) -> str:
    return html.escape(segment, quote=False).replace("\n", "<br>")
