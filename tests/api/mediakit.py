"""Small real media files made in tests (no fixtures on disk): a PNG of any size, a GIF header, a
phone's photo with everything a phone writes into it."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG, all black."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# what a phone puts in a photo, and must not reach anyone who loads it
SERIAL = "SN-4711-CAMERA"
COMMENT = b"taken at home, 12 Garden Lane"
XMP_SECRET = b"<x:xmpmeta><dc:creator>Ada Lovelace</dc:creator></x:xmpmeta>"
IPTC_SECRET = b"Photoshop 3.0\x00byline: Ada Lovelace, home"
TRAILER = b"\x00\x00\x00\x18ftypmp42 a Motion Photo's video with sound"
GPS_IFD, EXIF_IFD, ORIENTATION, BODY_SERIAL = 0x8825, 0x8769, 0x0112, 0xA431


def halves(width: int, height: int) -> Image.Image:
    """Red left half, blue right half: where they end up shows how an image was turned."""
    picture = Image.new("RGB", (width, height), (20, 40, 220))
    picture.paste((220, 30, 30), (0, 0, width // 2, height))
    return picture


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Example Phones"  # make
    exif[0x0110] = "Pocket 12"  # model
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    exif.get_ifd(EXIF_IFD)[BODY_SERIAL] = SERIAL
    return exif


def photo(width: int = 120, height: int = 90, *, orientation: int = 1) -> bytes:
    """A JPEG as a phone sends it: Exif (GPS position, camera serial, orientation), a comment,
    XMP, an IPTC block and a trailer after the image's end."""
    out = io.BytesIO()
    halves(width, height).save(
        out, "JPEG", quality=90, exif=phone_exif(orientation), comment=COMMENT, xmp=XMP_SECRET
    )
    data = out.getvalue()
    iptc = b"\xff\xed" + struct.pack(">H", len(IPTC_SECRET) + 2) + IPTC_SECRET
    return data[:2] + iptc + data[2:] + TRAILER


def secrets_in(data: bytes) -> list[bytes]:
    """Which of the photo's private details the bytes still carry."""
    found = [s for s in (SERIAL.encode(), COMMENT, b"Ada Lovelace", b"Motion Photo", b"Example")]
    return [s for s in found if s in data]


def opened(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture
