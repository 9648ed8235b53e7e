"""Markdown of knowledge posts to safe HTML: CommonMark with tables, footnotes and fenced code
(markdown-it-py and mdit-py-plugins), and LaTeX math `$…$` / `$$…$$` as MathML Core
(latex2mathml) with the LaTeX kept beside it as the MathML's `application/x-tex` annotation
(FEP-dc88: readers without MathML, Mastodon among them, show the TeX). Raw HTML in the Markdown is
shown as text, never interpreted; the result passes the node's one sanitiser
(security.html.sanitize_article) all the same.
"""

from __future__ import annotations

import html as _html
from collections.abc import Sequence
from typing import Any

import latex2mathml.converter
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from fedihub.security import html

MAX_MATH = 2000  # characters of one formula; longer ones stay as their TeX text


def _mathml(tex: str, *, block: bool) -> str:
    """MathML of a formula with its TeX as annotation; the TeX as text when it does not convert."""
    fence = "$$" if block else "$"
    escaped = _html.escape(tex, quote=False)
    if len(tex) > MAX_MATH:
        return f"<code>{fence}{escaped}{fence}</code>"
    try:
        converted = latex2mathml.converter.convert(tex, display="block" if block else "inline")
    except Exception:  # latex2mathml raises many kinds on bad TeX; the author then sees the TeX
        return f"<code>{fence}{escaped}{fence}</code>"
    # wrap the body in <semantics> to carry the source beside it
    head, _, rest = converted.partition(">")
    body = rest.rsplit("</math>", 1)[0]
    annotation = f'<annotation encoding="application/x-tex">{escaped}</annotation>'
    return f"{head}><semantics>{body}{annotation}</semantics></math>"


def _math(
    _renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    _options: OptionsDict,
    _env: EnvType,
) -> str:
    token = tokens[idx]
    if token.type.startswith("math_block"):
        return f"<p>{_mathml(token.content.strip(), block=True)}</p>\n"
    return _mathml(token.content, block=False)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.use(footnote_plugin)
    md.use(dollarmath_plugin, allow_space=True, double_inline=True)
    for rule in ("math_inline", "math_inline_double", "math_block", "math_block_label"):
        md.add_render_rule(rule, _math)
    return md


_MD = _parser()


def render(source: str) -> str:
    """Safe HTML of a knowledge post's Markdown body."""
    env: dict[str, Any] = {}
    return html.sanitize_article(_MD.render(source, env))
