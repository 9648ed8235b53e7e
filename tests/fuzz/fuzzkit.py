"""Strategies shared by the fuzz tests: random JSON, AS2-shaped JSON, and mutations of the peer
documents captured in tests/fixtures/peers/ (real traffic, so mutants stay close to what a
parser meets, which random input rarely reaches)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

PEERS = Path(__file__).resolve().parents[1] / "fixtures" / "peers"
PEER_DOCUMENTS: list[dict[str, Any]] = [
    json.loads(path.read_text()) for path in sorted(PEERS.rglob("*.json"))
]
PEER_ACTORS = [
    doc
    for doc in PEER_DOCUMENTS
    if doc.get("type") in {"Person", "Group", "Organization", "Application", "Service"}
]

# the keys the parser reads, so random objects often hold the fields it looks at
AS2_KEYS = (
    "id type actor object target to cc bto bcc audience tag attachment url href content "
    "contentMap summary name attributedTo inReplyTo published updated sensitive conversation "
    "context preferredUsername inbox outbox endpoints sharedInbox followers following featured "
    "icon image publicKey publicKeyPem owner manuallyApprovesFollowers discoverable mediaType "
    "blurhash width height focalPoint"
).split()
TYPES = (
    "Create Update Delete Undo Like Announce Follow Accept Reject Note Article Page Question "
    "Person Group Service Application Image Document Mention Hashtag Tombstone Link"
).split()

# strings a peer might send where a URL or a type goes: schemes, user parts, ports, controls
TRICKY_STRINGS = st.sampled_from(
    [
        "https://peer.example/users/zoe",
        "https://peer.example/users/zoe#main-key",
        "http://peer.example:8080/x",
        "https://[::1]/x",
        "https://[::1/x",
        "https://peer.example:99999/x",
        "https://u:p@peer.example/x",
        "javascript:alert(1)",
        "data:text/html,<b>",
        "//peer.example/x",
        "https:///x",
        "https://peer.example/\x00",
        "as:Public",
        "Public",
        "https://www.w3.org/ns/activitystreams#Public",
        "2024-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "",
        " ",
        "\u202e",
        "nul\x00byte",  # PostgreSQL's text columns refuse U+0000
        "💥",
    ]
)
TEXT = st.text(max_size=40) | TRICKY_STRINGS | st.sampled_from(TYPES)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats()
    | TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(AS2_KEYS) | st.text(max_size=10), children, max_size=6)
    ),
    max_leaves=20,
)
JSON_OBJECT = st.dictionaries(st.sampled_from(AS2_KEYS) | st.text(max_size=10), JSON, max_size=8)

# AS2-shaped objects: each field the parser reads holds a value of the kind a peer sends there,
# of a wrong kind, or at an edge (huge numbers, booleans for numbers, pairs for focal points)
GOOD_URL = st.builds("https://peer.example/{}".format, st.text("ab/#?%", max_size=6))
_URL = GOOD_URL | TRICKY_STRINGS
_URLISH = _URL | st.lists(_URL, max_size=3)
AS2_OBJECT: st.SearchStrategy[dict[str, Any]] = st.deferred(
    lambda: st.fixed_dictionaries(
        {},
        optional={
            "id": _URL,
            "type": st.sampled_from(TYPES) | st.lists(st.sampled_from(TYPES), max_size=2) | SCALARS,
            "actor": _URLISH | AS2_OBJECT,
            "object": _URLISH | AS2_OBJECT,
            "to": _URLISH,
            "cc": _URLISH,
            "url": _URLISH | AS2_OBJECT,
            "href": _URLISH,
            "inbox": _URLISH,
            "inReplyTo": _URLISH | AS2_OBJECT,
            "attributedTo": _URLISH,
            "content": TEXT | SCALARS,
            "contentMap": st.dictionaries(TEXT, TEXT | SCALARS, max_size=2) | SCALARS,
            "published": TRICKY_STRINGS | SCALARS,
            "updated": TRICKY_STRINGS | SCALARS,
            "preferredUsername": TEXT | SCALARS,
            "endpoints": st.fixed_dictionaries({"sharedInbox": _URLISH}) | SCALARS,
            "publicKey": st.fixed_dictionaries(
                {"id": _URL, "owner": _URLISH, "publicKeyPem": TEXT | SCALARS}
            )
            | SCALARS,
            "icon": _URLISH | AS2_OBJECT,
            "tag": st.lists(AS2_OBJECT, max_size=3) | AS2_OBJECT | SCALARS,
            "attachment": st.lists(AS2_OBJECT, max_size=3) | AS2_OBJECT | SCALARS,
            "mediaType": TEXT | SCALARS,
            "blurhash": TEXT | SCALARS,
            "width": SCALARS,
            "height": SCALARS,
            "focalPoint": st.lists(SCALARS, min_size=2, max_size=2) | SCALARS,
        },
    )
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a document (keys and list indices)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def _copy(value: Any) -> Any:
    # never alias the captured documents: a later mutation would change them for every test
    return json.loads(json.dumps(value))


@st.composite
def mutated(draw: st.DrawFn, documents: list[dict[str, Any]] = PEER_DOCUMENTS) -> Any:
    """A peer document with one to six mutations: a value replaced by random JSON, a tricky string
    or another document's value, deleted, wrapped in a list or an object, a string cut or
    grown, a list emptied or repeated."""
    doc = _copy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 6))):
        path = draw(st.sampled_from(_paths(doc)))
        value = _get(doc, path)
        how = draw(st.integers(0, 8))
        if how == 0:
            new: Any = draw(JSON)
        elif how == 1:
            new = draw(TRICKY_STRINGS)
        elif how == 2 and path:
            container = _get(doc, path[:-1])
            if isinstance(container, dict):
                del container[path[-1]]
            else:
                container.pop(path[-1])
            continue
        elif how == 3:
            new = [value]
        elif how == 4:
            new = {"id": value, "type": draw(st.sampled_from(TYPES))}
        elif how == 5 and isinstance(value, str):
            cut = draw(st.integers(0, len(value)))
            new = value[:cut] + draw(st.text(max_size=8)) + value[cut:]
        elif how == 6 and isinstance(value, list):
            new = [] if draw(st.booleans()) else _copy(value) * draw(st.integers(2, 20))
        elif how == 7:
            other = draw(st.sampled_from(documents))
            new = _copy(draw(st.sampled_from([_get(other, p) for p in _paths(other)])))
        else:
            new = draw(SCALARS)
        doc = _set(doc, path, new)
    return doc


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes flipped, inserted or removed."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(out)))
        how = draw(st.integers(0, 2))
        if how == 0 and at < len(out):
            out[at] = draw(st.integers(0, 255))
        elif how == 1:
            out[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif at < len(out):
            del out[at : at + draw(st.integers(1, 16))]
    return bytes(out)


def header_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """What an HTTP header value can hold on the way in: Latin-1 characters (ASGI decodes header
    bytes so), controls excepted."""
    return st.text(
        st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
        max_size=max_size,
    )


def app_examples(short: int) -> int:
    """How many requests an app-level target sends: `short` in `make test` (a request costs
    milliseconds where a parser call costs microseconds), the profile's number in `make fuzz`."""
    if os.environ.get("FEDIHUB_FUZZ", "short") == "short":
        return short
    return settings.default.max_examples
