"""What an upload is, read from its first bytes, never from its name or declared type; and an
image's width and height, read from its header (PNG, JPEG, GIF, WebP) without decoding it.

Documents and data files (knowledge posts' attachments, Mastodon's type `unknown`) are sniffed too:
a PDF and a zip by their magic, text by being UTF-8 without control characters, and then the
declared type or the file name's extension only chooses among text kinds (CSV, JSON, plain), never
lets other bytes in; JSON must parse.

Pure functions on bytes: no Pillow (a decoder is a large attack surface for hostile uploads, and
the header is all Mastodon's `meta.original` needs).
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    kind: str  # Mastodon's attachment type: image, video, audio, unknown (documents)
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
PDF = Kind("unknown", "application/pdf", "pdf")
ZIP = Kind("unknown", "application/zip", "zip")
CSV = Kind("unknown", "text/csv", "csv")
JSON = Kind("unknown", "application/json", "json")
TEXT = Kind("unknown", "text/plain", "txt")
DOCUMENTS = (PDF, ZIP, CSV, JSON, TEXT)
TEXT_KINDS = (CSV, JSON, TEXT)
# text is decoded and JSON parsed whole: a bound below the upload limit keeps that cheap
MAX_TEXT_BYTES = 4 * 1024 * 1024
# C0 controls other than tab, line feed, form feed and carriage return: binary, not text
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BY_TYPE = {"text/csv": CSV, "application/json": JSON, "text/plain": TEXT}
_BY_EXTENSION = {"csv": CSV, "json": JSON, "txt": TEXT, "text": TEXT}

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


class TooLarge(ValueError):
    """A file of an accepted kind, over that kind's own bound."""


def sniff_upload(
    data: bytes, declared: str | None = None, filename: str | None = None
) -> Kind | None:
    """The kind of an upload: media as `sniff` finds it, else a document (PDF, zip, or UTF-8 text
    that the declared type or extension says is CSV, JSON or plain text); None when refused,
    TooLarge for a text file over MAX_TEXT_BYTES."""
    kind = sniff(data)
    if kind is not None:
        return kind
    if data.startswith(b"%PDF-"):
        return PDF
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return ZIP
    wanted = _text_kind(declared, filename)
    if wanted is None:
        return None
    if len(data) > MAX_TEXT_BYTES:
        raise TooLarge(f"text files are limited to {MAX_TEXT_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _BINARY.search(text):
        return None
    if wanted is JSON:
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            return None
    return wanted


def _text_kind(declared: str | None, filename: str | None) -> Kind | None:
    media_type = (declared or "").split(";", 1)[0].strip().lower()
    if media_type in _BY_TYPE:
        return _BY_TYPE[media_type]
    extension = filename.rsplit(".", 1)[-1].lower() if filename and "." in filename else ""
    return _BY_EXTENSION.get(extension)


def digest_multibase(data: bytes) -> str:
    """FEP-1311/FEP-ef61 `digestMultibase`: base58btc ('z') of the sha2-256 multihash
    (0x12, 0x20, then the digest)."""
    return "z" + base58btc(b"\x12\x20" + hashlib.sha256(data).digest())


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(raw: bytes) -> str:
    """Bitcoin's base58 alphabet; each leading zero byte is a '1'."""
    number = int.from_bytes(raw, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_B58[rest])
    zeros = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


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
