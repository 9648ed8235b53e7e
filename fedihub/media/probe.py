"""What an upload is, read from its first bytes, never from its name or declared type; and an
image's width and height, read from its header (PNG, JPEG, GIF, WebP) without decoding it.

Pure functions on bytes: no Pillow (a decoder is a large attack surface for hostile uploads, and
the header is all Mastodon's `meta.original` needs).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    kind: str  # Mastodon's attachment type: image, video, audio
    content_type: str
    extension: str


PNG = Kind("image", "image/png", "png")
JPEG = Kind("image", "image/jpeg", "jpg")
GIF = Kind("image", "image/gif", "gif")
WEBP = Kind("image", "image/webp", "webp")
MP4 = Kind("video", "video/mp4", "mp4")
M4A = Kind("audio", "audio/mp4", "m4a")
WEBM = Kind("video", "video/webm", "webm")
MP3 = Kind("audio", "audio/mpeg", "mp3")
OGG = Kind("audio", "audio/ogg", "ogg")

_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
# JPEG start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) do not
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def sniff(data: bytes) -> Kind | None:
    """The kind of media the bytes are, or None when they are none we accept."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp":
        return M4A if data[8:12] in _AUDIO_BRANDS else MP4
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return MP3
    if data.startswith(b"OggS"):
        return OGG
    return None


def dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG, GIF or WebP image from its header; None if unreadable."""
    try:
        kind = sniff(data)
        if kind is PNG and data[12:16] == b"IHDR":
            size = struct.unpack(">II", data[16:24])
        elif kind is GIF:
            size = struct.unpack("<HH", data[6:10])
        elif kind is JPEG:
            size = _jpeg(data) or (0, 0)
        elif kind is WEBP:
            size = _webp(data) or (0, 0)
        else:
            return None
    except (struct.error, IndexError):
        return None
    width, height = size
    return (width, height) if width > 0 and height > 0 else None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header before it
            return None
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def original_meta(width: int, height: int) -> dict[str, object]:
    """Mastodon's `meta.original` for an image of this size."""
    aspect = round(width / height, 6)
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": aspect}


def meta_of(kind: Kind, data: bytes) -> dict[str, object]:
    """Mastodon's `meta` for stored bytes: `original` for an image whose header we can read."""
    if kind.kind != "image":
        return {}
    size = dimensions(data)
    return {"original": original_meta(*size)} if size is not None else {}
