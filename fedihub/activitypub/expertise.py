"""What a researcher works on and where, in an actor document, written and read.

fedihub writes schema.org's `knowsAbout` (research areas, plain strings) and `affiliation` (an
`Organization` with a `name`) beside the profile fields Mastodon shows (`PropertyValue`). From
other servers' actors, which carry neither, areas come from profile fields whose name says what
they are ("Research areas", "Interests", "研究方向", ...) and from the hashtags of the profile, and
the affiliation from a field such as "Affiliation" or "Institution".
"""

from __future__ import annotations

import html
import re
from typing import Any

MAX_AREAS = 20
MAX_AREA_CHARS = 64
MAX_AFFILIATION_CHARS = 255

CONTEXT_TERMS: dict[str, Any] = {
    "knowsAbout": "schema:knowsAbout",
    "affiliation": "schema:affiliation",
    "Organization": "schema:Organization",
}

_AREA_FIELDS = re.compile(
    r"research|expertise|interest|topic|areas?\b|fields?\b|works? on|研究|领域|方向|专业",
    re.IGNORECASE,
)
_AFFILIATION_FIELDS = re.compile(
    r"affiliation|institution|organi[sz]ation|employer|university|lab\b|单位|机构|学校|所属",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^>]*>")
_SEPARATORS = re.compile(r"[,;·|、，；\n]+")


def expertise_terms(areas: list[str], affiliation: str) -> dict[str, Any]:
    """The machine-readable terms of a local actor's document."""
    terms: dict[str, Any] = {"knowsAbout": [a for a in areas if a][:MAX_AREAS]}
    if affiliation:
        terms["affiliation"] = {"type": "Organization", "name": affiliation}
    return terms


def _plain(value: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", value)).split())


def _names(value: Any) -> list[str]:
    """Strings, or objects with a `name`, or a list of either."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items[: MAX_AREAS * 2]:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str) and _plain(item):
            out.append(_plain(item))
    return out


def _bounded_areas(candidates: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for area in candidates:
        area = area.strip().lstrip("#")[:MAX_AREA_CHARS].strip()
        if area and area.casefold() not in seen:
            seen[area.casefold()] = area
        if len(seen) >= MAX_AREAS:
            break
    return list(seen.values())


def read_expertise(doc: dict[str, Any]) -> tuple[list[str], str]:
    """(research areas, affiliation) of any actor document; bounded, plain text."""
    areas = _names(doc.get("knowsAbout"))
    affiliations = _names(doc.get("affiliation"))
    fields = doc.get("attachment")
    for item in fields[: MAX_AREAS * 2] if isinstance(fields, list) else []:
        if not isinstance(item, dict) or item.get("type") != "PropertyValue":
            continue
        name, value = item.get("name"), item.get("value")
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        if "knowsAbout" not in doc and _AREA_FIELDS.search(name):
            areas.extend(part for part in _SEPARATORS.split(_plain(value)) if part.strip())
        elif _AFFILIATION_FIELDS.search(name):
            affiliations.append(_plain(value))
    if "knowsAbout" not in doc:
        tags = doc.get("tag")
        for tag in tags[: MAX_AREAS * 2] if isinstance(tags, list) else []:
            if isinstance(tag, dict) and tag.get("type") == "Hashtag":
                areas.extend(_names(tag))
    affiliation = next((a for a in affiliations if a), "")[:MAX_AFFILIATION_CHARS]
    return _bounded_areas(areas), affiliation
