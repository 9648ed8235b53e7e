"""Search terms for the directory, the same way for what is indexed and what is asked.

Words of alphabetic scripts are terms as they are (case-folded); Chinese, Japanese and Korean
text has no spaces, so each character and each pair of neighbours is a term, and a query of
several characters asks for all its pairs (the usual bigram index, which needs no dictionary).
"""

from __future__ import annotations

import re
import unicodedata

MAX_TERM = 90
MAX_QUERY_TERMS = 16
_WORDS = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(
    r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ffff]+)"
)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _pieces(text: str) -> list[tuple[str, bool]]:
    """(piece, is_cjk) for every word of `text`, CJK runs split from the letters around them."""
    out: list[tuple[str, bool]] = []
    for word in _WORDS.findall(normalise(text)):
        for i, piece in enumerate(_CJK.split(word)):
            if piece and piece != "_":
                out.append((piece.strip("_"), i % 2 == 1))
    return [(p, cjk) for p, cjk in out if p]


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def words(text: str) -> set[str]:
    """The free-text terms of `text` as stored: "w:" + word, CJK characters and pairs."""
    terms: set[str] = set()
    for piece, cjk in _pieces(text):
        if cjk:
            terms.update(piece)
            terms.update(_bigrams(piece))
        else:
            terms.add(piece)
    return {"w:" + t[:MAX_TERM] for t in terms}


def query_words(text: str) -> list[str]:
    """The terms a query needs, each of which an entry must have; bounded."""
    wanted: list[str] = []
    for piece, cjk in _pieces(text[:1000]):
        wanted.extend(([piece] if len(piece) == 1 else _bigrams(piece)) if cjk else [piece])
    unique = list(dict.fromkeys("w:" + t[:MAX_TERM] for t in wanted))
    return unique[:MAX_QUERY_TERMS]


def area(name: str) -> str:
    """A research area as a filter term: case and spacing do not matter."""
    return "a:" + " ".join(normalise(name).split())[:MAX_TERM]


def language(code: str) -> str:
    return "l:" + normalise(code).split("-")[0][:8]
