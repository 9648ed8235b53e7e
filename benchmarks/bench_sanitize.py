"""HTML sanitising throughput: fedihub's sanitiser (nh3/Ammonia) against bleach configured with
the same Mastodon allowlist as closely as bleach allows, on 1,000 generated Mastodon-like statuses.

    python -m benchmarks.bench_sanitize [--results FILE] [--seconds 2.0] [--statuses 1000]

bleach cannot rename elements (Mastodon turns h1-h6 into <p><strong>), drop script/style content
(it keeps the text, escaped) or filter class lists by pattern without a callable; the callable is
used for classes, and a small filter adds rel/target to links as fedihub does.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator

import bleach
import nh3
from bleach.html5lib_shim import Filter

from benchmarks.common import parser, print_machine, record
from fedihub.security import html

WORDS = (
    "the fediverse research data paper seminar lab open science reproducible notes grant "
    "conference 研究 数据 ActivityPub Mastodon federation moderation instance server résumé "
    "naïve café 🎉 ✨ and of to in is for on with that this we our"
).split()
_CLASS_OK = re.compile(r"^(?:(?:h|p|u|dt|e)-.+|mention|hashtag|ellipsis|invisible|quote-inline)$")


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _piece(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        user = rng.choice(["alice", "bob", "carol", "dan"])
        host = rng.choice(["mastodon.social", "lab.example", "misskey.io"])
        return (
            f'<span class="h-card" translate="no"><a href="https://{host}/@{user}" '
            f'class="u-url mention">@<span>{user}</span></a></span>'
        )
    if r < 0.25:
        tag = rng.choice(["OpenScience", "fediverse", "研究", "AcademicChatter"])
        return (
            f'<a href="https://lab.example/tags/{tag}" class="mention hashtag" rel="tag">'
            f"#<span>{tag}</span></a>"
        )
    if r < 0.35:
        ascii_words = [w for w in WORDS if w.isascii()]
        path = "/".join(rng.choice(ascii_words) for _ in range(4))
        return (
            f'<a href="https://news.example/{path}" target="_blank" rel="nofollow noopener '
            f'noreferrer" translate="no"><span class="invisible">https://</span><span '
            f'class="ellipsis">news.example/{path[:20]}</span><span class="invisible">'
            f"{path[20:]}</span></a>"
        )
    if r < 0.40:
        return f"<code>{_words(rng, 3)}</code>"
    if r < 0.45:
        return f"<em>{_words(rng, 2)}</em> <strong>{_words(rng, 2)}</strong>"
    if r < 0.48:  # hostile or foreign markup a peer might send
        return rng.choice(
            [
                '<img src="x" onerror="alert(1)">',
                '<a href="javascript:alert(1)">click</a>',
                '<span style="color:red" onclick="x()">styled</span>',
                "<script>alert(1)</script>",
                '<h2 class="title">Heading</h2>',
                '<div class="note"><table><tr><td>cell</td></tr></table></div>',
            ]
        )
    return _words(rng, rng.randint(3, 15))


def _status(rng: random.Random, target: int) -> str:
    paragraphs, size = [], 0
    while size < target:
        body = " ".join(_piece(rng) for _ in range(rng.randint(2, 8)))
        if rng.random() < 0.2:
            body += "<br>" + _words(rng, 6)
        kind = rng.random()
        if kind < 0.05:
            block = f"<blockquote><p>{body}</p></blockquote>"
        elif kind < 0.08:
            block = f"<pre><code>{_words(rng, 20)}</code></pre>"
        elif kind < 0.11:
            block = "<ul>" + "".join(f"<li>{_words(rng, 5)}</li>" for _ in range(3)) + "</ul>"
        else:
            block = f"<p>{body}</p>"
        paragraphs.append(block)
        size += len(block.encode())
    return "".join(paragraphs)


def corpus(n: int, seed: int = 2026) -> list[str]:
    """n statuses of 200 B to 5 KB, skewed short like real timelines."""
    rng = random.Random(seed)
    return [_status(rng, int(min(4500, 200 + rng.expovariate(1 / 900)))) for _ in range(n)]


class _LinkAttributes(Filter):  # type: ignore[misc]
    def __iter__(self) -> Iterator[dict]:  # type: ignore[type-arg]
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                data = dict(token["data"])
                data[(None, "rel")] = html.LINK_REL
                data[(None, "target")] = "_blank"
                token["data"] = data
            yield token


def _bleach_attribute(tag: str, name: str, value: str) -> bool:
    allowed = {
        "a": {"href", "class", "translate"},
        "span": {"class", "translate"},
        "ol": {"start", "reversed"},
        "li": {"value"},
        "p": {"class"},
    }
    if name == "lang":
        return True
    if name not in allowed.get(tag, ()):
        return False
    if name == "class":
        return all(_CLASS_OK.match(c) for c in value.split())
    return name != "translate" or value == "no"


def bleach_cleaner() -> Callable[[str], str]:
    cleaner = bleach.sanitizer.Cleaner(
        tags=set(html.ELEMENTS),
        attributes=_bleach_attribute,
        protocols=set(html.LINK_PROTOCOLS),
        strip=True,
        strip_comments=True,
        filters=[_LinkAttributes],
    )
    return cleaner.clean


def throughput(fn: Callable[[str], str], docs: list[str], seconds: float) -> tuple[float, float]:
    """(statuses/s, MB/s of input) over whole passes of the corpus, at least `seconds` long."""
    total_bytes = sum(len(d.encode()) for d in docs)
    for d in docs[:50]:
        fn(d)
    passes, start = 0, time.perf_counter()
    while True:
        for d in docs:
            fn(d)
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return passes * len(docs) / elapsed, passes * total_bytes / elapsed / 1e6


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--seconds", type=float, default=2.0, help="time per library")
    p.add_argument("--statuses", type=int, default=1000, help="corpus size")
    args = p.parse_args(argv)
    print_machine()
    docs = corpus(args.statuses)
    sizes = sorted(len(d.encode()) for d in docs)
    print(
        f"corpus: {len(docs)} statuses, {sum(sizes) / 1e6:.2f} MB, "
        f"{sizes[0]} B to {sizes[-1]} B, median {sizes[len(sizes) // 2]} B"
    )

    def put(figure: str, value: float, unit: str) -> None:
        record(args.results, "sanitize", figure, value, unit, "none", 1)

    bare_nh3 = nh3.Cleaner(tags=set(html.ELEMENTS), link_rel=html.LINK_REL).clean
    results = {}
    for name, fn in (
        ("fedihub sanitize (nh3)", html.sanitize),
        ("nh3 plain allowlist", bare_nh3),
        ("bleach", bleach_cleaner()),
    ):
        per_s, mb_s = throughput(fn, docs, args.seconds)
        results[name] = per_s
        put(f"{name} statuses/s", per_s, "statuses/s")
        put(f"{name} MB/s", mb_s, "MB/s")
    ratio = results["fedihub sanitize (nh3)"] / results["bleach"]
    put("fedihub sanitize / bleach speed", ratio, "x")


if __name__ == "__main__":
    main()
