"""Metadata removed from image files without decoding them (JPEG, PNG, GIF, WebP).

A photo's Exif block tells where it was taken (GPS), with what (camera and lens serial numbers)
and when; XMP, IPTC, PNG text chunks and GIF comments carry names, software and edit history; a
JPEG's embedded thumbnail can show what was cropped away; and data after the image's end holds
Motion Photo videos and vendor trailers. All of it goes: each container is walked segment by
segment, and only what a decoder needs to show the picture right (image data, colour profile and
colour space, transparency, animation control) is copied, byte for byte, so nothing is
re-compressed and nothing is lost. The orientation survives as a one-tag Exif block, as Mastodon
keeps it, so the picture still shows upright; whatever follows the end of the image is dropped.

Input is untrusted: every length is checked against the bytes there are, and a container that
does not parse raises Damaged. Imports nothing of fedihub but probe (for the kinds).
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

from fedihub.media import probe

ORIENTATION_TAG = 0x0112


class Damaged(ValueError):
    """The file's container is malformed or cut short: it is not an image we can read."""


@dataclass(frozen=True)
class Stripped:
    data: bytes
    orientation: int  # Exif orientation, 1 (upright) to 8


def strip(kind: probe.Kind, data: bytes) -> Stripped:
    """The image without its metadata, and the orientation it declared."""
    walker = _WALKERS.get(kind.content_type)
    if walker is None:
        raise ValueError(f"{kind.content_type} is not an image kind")
    try:
        return walker(data)
    except (IndexError, struct.error) as exc:  # a length pointing past the end
        raise Damaged(str(exc)) from None


def orientation_of(exif: bytes) -> int:
    """The orientation an Exif block (TIFF, with or without the `Exif\\0\\0` prefix) declares;
    1 when it declares none or is unreadable (the picture is then shown as stored)."""
    try:
        value = Image.Exif()
        value.load(exif)
        orientation = value.get(ORIENTATION_TAG, 1)
    except Exception:  # any malformed Exif: Pillow raises several kinds; upright is the default
        return 1
    return orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1


def orientation_exif(orientation: int) -> bytes:
    """A TIFF block with the one Orientation tag (without the `Exif\\0\\0` prefix)."""
    value = Image.Exif()
    value[ORIENTATION_TAG] = orientation
    return value.tobytes()[6:]


# JPEG ------------------------------------------------------------------------------------------

_SOI, _EOI, _SOS, _COM = 0xD8, 0xD9, 0xDA, 0xFE
_APP0, _APP1, _APP2, _APP14, _APP15 = 0xE0, 0xE1, 0xE2, 0xEE, 0xEF
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn: markers without a length
# the next marker after entropy-coded data: 0xFF not followed by a stuffed zero or an RSTn
_NEXT_MARKER = re.compile(rb"\xff(?=[^\x00\xd0-\xd7])")


def _jpeg_segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def _jpeg_kept(marker: int, body: bytes) -> bytes | None:
    """The segment to write for an APPn/COM segment, or None to drop it."""
    if marker == _APP0 and body.startswith(b"JFIF\x00") and len(body) >= 12:
        # version, units and density only: the JFIF thumbnail is dropped
        return _jpeg_segment(marker, body[:12] + b"\x00\x00")
    if marker == _APP2 and body.startswith(b"ICC_PROFILE\x00"):
        return _jpeg_segment(marker, body)  # the colour profile: colours depend on it
    if marker == _APP14 and body.startswith(b"Adobe"):
        return _jpeg_segment(marker, body)  # tells CMYK/YCCK decoders the colour transform
    return None  # Exif, XMP, MPF, IPTC (APP13), maker notes, comments


def _jpeg(data: bytes) -> Stripped:
    if not data.startswith(b"\xff\xd8"):
        raise Damaged("no JPEG start of image")
    out, pos, orientation, end = [b"\xff\xd8"], 2, 1, len(data)
    while True:
        if pos >= end or data[pos] != 0xFF:
            raise Damaged("JPEG cut short or not at a marker")
        while pos < end and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= end:
            raise Damaged("JPEG cut short")
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            out.append(b"\xff\xd9")  # anything after the image's end is not copied
            break
        if marker in _STANDALONE:
            out.append(bytes((0xFF, marker)))
            continue
        if marker in (0x00, _SOI):
            raise Damaged("JPEG marker out of place")
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > end:
            raise Damaged("JPEG segment longer than the file")
        body, start = data[pos + 2 : pos + length], pos - 2
        pos += length
        if _APP0 <= marker <= _APP15 or marker == _COM:
            if marker == _APP1 and body.startswith(b"Exif\x00\x00") and orientation == 1:
                orientation = orientation_of(body)
                if orientation != 1:
                    exif = b"Exif\x00\x00" + orientation_exif(orientation)
                    out.append(_jpeg_segment(_APP1, exif))
                continue
            kept = _jpeg_kept(marker, body)
            if kept is not None:
                out.append(kept)
            continue
        out.append(data[start:pos])
        if marker == _SOS:  # entropy-coded data runs to the next marker
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                raise Damaged("JPEG scan cut short")
            out.append(data[pos : found.start()])
            pos = found.start()
    return Stripped(b"".join(out), orientation)


# PNG -------------------------------------------------------------------------------------------

# what a decoder needs: image data, palette, transparency, colour space and profile, physical
# size, background, and APNG's animation chunks. Text (tEXt, zTXt, iTXt), eXIf, tIME, sPLT and
# private chunks are dropped.
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCV", b"cLLI", b"bKGD", b"pHYs", b"hIST", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _png(data: bytes) -> Stripped:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise Damaged("no PNG signature")
    out, pos, orientation, end = [data[:8]], 8, 1, len(data)
    while True:
        if pos + 12 > end:
            raise Damaged("PNG cut short before IEND")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, after = data[pos + 4 : pos + 8], pos + 12 + length
        if after > end:
            raise Damaged("PNG chunk longer than the file")
        if kind == b"eXIf":
            orientation = orientation_of(data[pos + 8 : pos + 8 + length])
            if orientation != 1:
                out.append(_png_chunk(b"eXIf", orientation_exif(orientation)))
        elif kind in _PNG_KEEP:
            out.append(data[pos:after])
        elif kind[:1].isupper():  # an unknown critical chunk: decoders must refuse the file
            raise Damaged(f"unknown critical PNG chunk {kind!r}")
        pos = after
        if kind == b"IEND":
            break
    return Stripped(b"".join(out), orientation)


# GIF -------------------------------------------------------------------------------------------

_LOOP_EXTENSIONS = {b"NETSCAPE2.0", b"ANIMEXTS1.0"}  # the animation's loop count


def _gif_sub_blocks_end(data: bytes, pos: int) -> int:
    """The position after a run of data sub-blocks and its terminator."""
    while True:
        size = data[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size
        if pos > len(data):
            raise Damaged("GIF data block longer than the file")


def _gif(data: bytes) -> Stripped:
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise Damaged("no GIF header")
    flags = data[10]
    pos = 13 + (3 << ((flags & 0x07) + 1) if flags & 0x80 else 0)
    out = [data[:pos]]
    while True:
        block = data[pos]
        if block == 0x3B:  # trailer: anything after it is not copied
            out.append(b"\x3b")
            break
        if block == 0x2C:  # image: descriptor, local colour table, LZW code size, data
            flags = data[pos + 9]
            start = pos
            pos += 10 + (3 << ((flags & 0x07) + 1) if flags & 0x80 else 0) + 1
            pos = _gif_sub_blocks_end(data, pos)
            out.append(data[start:pos])
        elif block == 0x21:
            label, start = data[pos + 1], pos
            pos = _gif_sub_blocks_end(data, pos + 2)
            if label == 0xF9 or (
                label == 0xFF
                and data[start + 2] == 11
                and data[start + 3 : start + 14] in _LOOP_EXTENSIONS
            ):  # graphic control (timing, transparency) and the loop count
                out.append(data[start:pos])
            # comments, plain text and other applications' blocks (XMP) are dropped
        else:
            raise Damaged(f"unknown GIF block {block:#x}")
        if pos > len(data):
            raise Damaged("GIF cut short")
    return Stripped(b"".join(out), 1)


# WebP ------------------------------------------------------------------------------------------

_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def _riff_chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def _webp(data: bytes) -> Stripped:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise Damaged("no WebP header")
    (size,) = struct.unpack("<I", data[4:8])
    end = 8 + size  # anything after the RIFF container is not copied
    if end > len(data):
        raise Damaged("WebP cut short")
    chunks, pos, orientation = [], 12, 1
    while pos < end:
        if pos + 8 > end:
            raise Damaged("WebP chunk header cut short")
        kind = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        after = pos + 8 + length + (length % 2)
        if pos + 8 + length > end:
            raise Damaged("WebP chunk longer than the file")
        if kind == b"EXIF":
            orientation = orientation_of(data[pos + 8 : pos + 8 + length])
        elif kind in _WEBP_KEEP:
            chunks.append(data[pos:after])
        pos = after
    extended = bool(chunks) and chunks[0][:4] == b"VP8X"
    orientation = orientation if extended else 1  # Exif is only read from extended files
    if orientation != 1:
        chunks.append(_riff_chunk(b"EXIF", orientation_exif(orientation)))
    if extended:  # the flags must tell what the file holds now
        flags = (chunks[0][8] & ~(_VP8X_EXIF | _VP8X_XMP)) | (_VP8X_EXIF if orientation != 1 else 0)
        chunks[0] = chunks[0][:8] + bytes((flags,)) + chunks[0][9:]
    body = b"WEBP" + b"".join(chunks)
    return Stripped(b"RIFF" + struct.pack("<I", len(body)) + body, orientation)


_WALKERS = {
    probe.JPEG.content_type: _jpeg,
    probe.PNG.content_type: _png,
    probe.GIF.content_type: _gif,
    probe.WEBP.content_type: _webp,
}
