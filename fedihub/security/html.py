"""THE one HTML sanitiser (nh3 / Ammonia), plain-text extraction, and text-to-HTML for local posts.

Every piece of HTML that reaches a page or an API response, local or remote, passes `sanitize`.
The allowlist is Mastodon's (lib/sanitize_ext/sanitize_config.rb, MASTODON_STRICT) so statuses
look the same here as there: its elements, `lang` everywhere, microformats and a few semantic
classes, `translate="no"`, links only to its protocols and always opened with
rel="nofollow noopener noreferrer" target="_blank". Like Mastodon, headings become
<p><strong>…</strong></p>; other unknown elements are unwrapped (their text stays), while
script, style and template go with their content. Imports nothing of fedihub.
"""

from __future__ import annotations

import html as _html
import itertools
import re
from urllib.parse import urlsplit

import nh3

LINK_REL = "nofollow noopener noreferrer"
LINK_PROTOCOLS = frozenset(
    {"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini"}
)
ELEMENTS = frozenset(
    {
        "p",
        "br",
        "span",
        "a",
        "del",
        "s",
        "pre",
        "blockquote",
        "code",
        "b",
        "strong",
        "u",
        "i",
        "em",
        "ul",
        "ol",
        "li",
        "ruby",
        "rt",
        "rp",
    }
)
_ATTRIBUTES = {
    "*": {"lang"},
    "a": {"href", "class", "translate"},
    "span": {"class", "translate"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "p": {"class"},
}
# Mastodon's ALLOWED_CLASS_TRANSFORMER: microformats, mention/hashtag, link-shortening helpers.
_CLASS_OK = re.compile(r"^(?:(?:h|p|u|dt|e)-.+|mention|hashtag|ellipsis|invisible|quote-inline)$")
# Tag patterns stop at "<" and are bounded so that hostile input cannot make them backtrack
# (a regex like <math[^>]*>(.*?)</math> took 27 s on 96 kB of "<math ").
_HEADING_OPEN = re.compile(r"<h[1-6](?=[\s/>])[^<>]{0,1000}>", re.IGNORECASE)
_HEADING_CLOSE = re.compile(r"</h[1-6]\s{0,100}>", re.IGNORECASE)
_MATH_TAG = re.compile(r"<(/?)math\b([^<>]{0,1000})>", re.IGNORECASE)
_ANNOTATION_OPEN = re.compile(r"<annotation\b([^<>]{0,1000})>", re.IGNORECASE)
_ENCODING = re.compile(r"\bencoding\s*=\s*[\"']?(application/x-tex|text/plain)\b", re.IGNORECASE)
_BLOCK_MATH = re.compile(r"\bdisplay\s*=\s*[\"']?block", re.IGNORECASE)


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [c for c in value.split() if _CLASS_OK.match(c)]
        return " ".join(kept) or None
    if attribute == "translate":
        return value if value == "no" else None
    if attribute in ("start", "value"):
        return value if value.lstrip("-").isdigit() else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ELEMENTS),
    clean_content_tags={"script", "style", "template"},
    attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    link_rel=LINK_REL,
    set_tag_attribute_values={"a": {"target": "_blank"}},
    url_schemes=set(LINK_PROTOCOLS),
    # Mastodon turns relative links into text: they would point into our own site.
    url_relative="deny",
    strip_comments=True,
)


def _annotations(math: str) -> dict[str, str]:
    """The first few <annotation encoding=…> texts of one <math> element, by encoding."""
    found: dict[str, str] = {}
    lowered = math.lower()
    for m in itertools.islice(_ANNOTATION_OPEN.finditer(math), 8):
        encoding = _ENCODING.search(m.group(1))
        end = lowered.find("</annotation", m.end())
        if encoding and end != -1:
            found.setdefault(encoding.group(1).lower(), math[m.end() : end])
    return found


def _math_to_text(html: str) -> str:
    """FEP-dc88, as Mastodon's MATH_TRANSFORMER: MathML shows as its TeX or plain-text
    annotation; without one, Ammonia drops the foreign element. One linear pass."""
    out, pos, opened = [], 0, None
    for m in _MATH_TAG.finditer(html):
        if not m.group(1):
            if opened is None:
                opened = m
        elif opened is not None:
            found = _annotations(html[opened.end() : m.start()])
            text = None
            if "application/x-tex" in found:
                fence = "$$" if _BLOCK_MATH.search(opened.group(2)) else "$"
                text = fence + _html.unescape(found["application/x-tex"]) + fence
            elif "text/plain" in found:
                text = _html.unescape(found["text/plain"])
            if text is not None:
                out.append(html[pos : opened.start()])
                out.append(_html.escape(text, quote=False))
                pos = m.end()
            opened = None
    out.append(html[pos:])
    return "".join(out)


def sanitize(html: str, *, max_length: int = 100_000) -> str:
    """Safe HTML for display. Input past max_length characters is cut first (the sanitiser then
    closes whatever the cut left open), which bounds the work a hostile peer can cause."""
    if len(html) > max_length:
        html = html[:max_length]
    if "<math" in html.lower():
        html = _math_to_text(html)
    html = _HEADING_CLOSE.sub("</strong></p>", _HEADING_OPEN.sub("<p><strong>", html))
    return _CLEANER.clean(html)


_LINK_SCHEMES = frozenset({"http", "https"})
MAX_LINK = 2048


def safe_link(url: str | None) -> str | None:
    """`url` if it may be a link's href on a page: an absolute http(s) URL with a host, without
    whitespace or control characters, at most MAX_LINK long; else None. Every href built from
    data the node did not write itself (a peer's profile URL in a mention, a profile link a user
    typed, an app's website) passes here before it is rendered: `javascript:` and `data:` URLs
    never become links."""
    if not isinstance(url, str) or not url or len(url) > MAX_LINK:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.hostname:
        return None
    return url


_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style", "template"})
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|blockquote|pre|li|ul|ol|div)\s*>", re.IGNORECASE)
_BLANKS = re.compile(r"\n{3,}")


def to_plain_text(html: str) -> str:
    """The text of an HTML fragment for search and notifications: tags gone, entities decoded,
    a newline per <br> and a blank line between paragraphs."""
    html = _BLOCK_END.sub("\n\n", _BREAK.sub("\n", html))
    text = _html.unescape(_TEXT_CLEANER.clean(html))
    return _BLANKS.sub("\n\n", text).strip()


_URL = re.compile(r"https?://[^\s<>\"'\x00-\x1f]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\")]}"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _linkify(text: str) -> str:
    out, pos = [], 0
    for m in _URL.finditer(text):
        url = m.group().rstrip(_TRAILING)
        # Keep closing parentheses that belong to the URL, as in Wikipedia links.
        unclosed = url.count("(") - url.count(")")
        stripped = m.group()[len(url) :]
        kept = len(stripped) - len(stripped.lstrip(")"))
        url += ")" * max(0, min(unclosed, kept))
        out.append(_html.escape(text[pos : m.start()], quote=False))
        href = _html.escape(url, quote=True)
        out.append(f'<a href="{href}" rel="{LINK_REL}" target="_blank">{href}</a>')
        pos = m.start() + len(url)
    out.append(_html.escape(text[pos:], quote=False))
    return "".join(out)


def text_to_html(text: str) -> str:
    """HTML for plain text a local user typed: escaped, <p> per blank-line-separated paragraph,
    <br> per single newline, http(s) URLs turned into links."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    paragraphs = _PARAGRAPH_BREAK.split(text)
    return "".join("<p>" + _linkify(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


# ---- long-form articles (knowledge posts, and peers' Article/Page) ------------------------------
# FEP-b2b8's element list (headings kept as headings, images), plus tables, footnotes and MathML
# Core (FEP-dc88): an article is read on its own page, where a heading is a heading. Links keep
# the same protocols as statuses; the only relative links kept are in-page fragments (footnotes).
_MATHML = frozenset(
    {
        "math",
        "semantics",
        "annotation",
        "mrow",
        "mi",
        "mo",
        "mn",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "munder",
        "mover",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
    }
)
ARTICLE_ELEMENTS = (
    ELEMENTS
    | _MATHML
    | {
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "img",
        "video",
        "audio",
        "source",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "sup",
        "sub",
        "hr",
        "section",
        "figure",
        "figcaption",
    }
)
_ARTICLE_ATTRIBUTES: dict[str, set[str]] = {
    **{k: set(v) for k, v in _ATTRIBUTES.items()},
    "a": {"href", "class", "translate", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "video": {"src", "controls", "poster"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
    "th": {"style", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "sup": {"id", "class"},
    "li": {"value", "id", "class"},
    "section": {"class"},
    "math": {"display", "xmlns"},
    "annotation": {"encoding"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace"},
    "mfrac": {"linethickness"},
    "mstyle": {"displaystyle", "scriptlevel"},
    "mspace": {"width"},
    "mtd": {"columnalign"},
    "code": {"class"},
}
_FOOTNOTE_ID = re.compile(r"^fn(?:ref)?[\w:-]{1,40}$", re.ASCII)
_ARTICLE_CLASS_OK = re.compile(
    r"^(?:(?:h|p|u|dt|e)-.+|mention|hashtag|ellipsis|invisible|quote-inline|footnotes?|"
    r"footnote-(?:ref|item|backref)|footnotes-sep|footnotes-list|language-[\w+#-]{1,30})$"
)
_ALIGN = re.compile(r"^text-align:\s?(?:left|right|center)$")


def _article_attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [c for c in value.split() if _ARTICLE_CLASS_OK.match(c)]
        return " ".join(kept) or None
    if attribute == "id":
        return value if _FOOTNOTE_ID.match(value) else None
    if attribute == "style":
        return value if _ALIGN.match(value.strip()) else None
    if attribute in ("href", "src", "poster"):
        # relative URLs pass Ammonia here (url_relative="pass_through"): keep in-page fragments,
        # drop paths, which would point into our own site, and protocol-relative URLs
        if value.startswith("#"):
            return value if attribute == "href" else None
        return value if safe_link(value) or ":" in value.split("/", 1)[0] else None
    if attribute in ("colspan", "rowspan", "width", "height"):
        return value if value.isdigit() and len(value) < 5 else None
    return _attribute_filter(element, attribute, value)


_ARTICLE_CLEANER = nh3.Cleaner(
    tags=set(ARTICLE_ELEMENTS),
    clean_content_tags={"script", "style", "template"},
    attributes=_ARTICLE_ATTRIBUTES,
    attribute_filter=_article_attribute_filter,
    link_rel=LINK_REL,
    url_schemes=set(LINK_PROTOCOLS),
    url_relative="pass_through",
    strip_comments=True,
)
_H1 = re.compile(r"<(/?)h1(?=[\s/>])", re.IGNORECASE)


def sanitize_article(html: str, *, max_length: int = 2_000_000) -> str:
    """Safe HTML of a long-form article (FEP-b2b8's list with tables, footnotes and MathML);
    an <h1> becomes <h2>, the page's own title being the <h1>. Input past max_length is cut."""
    if len(html) > max_length:
        html = html[:max_length]
    return _ARTICLE_CLEANER.clean(_H1.sub(r"<\1h2", html))
