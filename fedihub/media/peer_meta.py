"""What a peer says about its media, kept in Mastodon's shapes: the `meta` (sizes and focal point)
and the `blurhash` of a remote attachment, from ActivityPub's `width`, `height`, `focalPoint` and
`blurhash` (as Mastodon sends them: app/serializers/activitypub/note_serializer.rb).

Peers are untrusted: sizes must be positive and bounded, a focal point two numbers in [-1, 1],
and a blurhash well formed with at most 5x5 components, as Mastodon's MediaAttachmentParser
accepts. Pure functions; no Pillow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fedihub.media import probe

MAX_SIDE = 1_000_000  # any real picture is smaller; a larger number is a peer's garbage
MAX_BLURHASH_COMPONENTS = 5
_BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
_BLURHASH = re.compile(r"^[0-9A-Za-z#$%*+,\-.:;=?@\[\]^_{|}~]{6,}$")


def blurhash(value: object) -> str | None:
    """A peer's blurhash if it is one clients can decode, else None."""
    if not isinstance(value, str) or not _BLURHASH.match(value):
        return None
    size = _BASE83.index(value[0])
    x_components, y_components = size % 9 + 1, size // 9 + 1
    if max(x_components, y_components) > MAX_BLURHASH_COMPONENTS:
        return None
    return value if len(value) == 4 + 2 * x_components * y_components else None


def meta(
    width: int | None, height: int | None, focal_point: tuple[float, float] | None
) -> dict[str, object]:
    """Mastodon's `meta` from what a peer's attachment declares (empty when it declares none)."""
    shown: dict[str, object] = {}
    if width and height and 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE:
        shown["original"] = probe.original_meta(width, height)
    if focal_point is not None:
        shown["focus"] = {"x": focal_point[0], "y": focal_point[1]}
    return shown


def shown(stored: Mapping[str, object] | None) -> dict[str, object]:
    """`meta` as stored, in Mastodon's shape: rows stored before it was (a peer's flat `width`
    and `height`) show them as `original`."""
    value = dict(stored or {})
    if "original" in value:  # Mastodon's shape already (a video's also has top-level sizes)
        return value
    width, height = value.pop("width", None), value.pop("height", None)
    if isinstance(width, int) and isinstance(height, int):
        if 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE:
            value["original"] = probe.original_meta(width, height)
    return value
