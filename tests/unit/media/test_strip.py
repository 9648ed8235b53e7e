"""Metadata stripped without decoding: nothing private is left in JPEG, PNG, GIF or WebP files,
the picture itself is unchanged (same decoded pixels, animations kept), the orientation survives
as a one-tag Exif block, and malformed files raise Damaged, never anything else."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from fedihub.media import probe, strip
from tests.api.mediakit import (
    BODY_SERIAL,
    EXIF_IFD,
    GPS_IFD,
    ORIENTATION,
    halves,
    opened,
    phone_exif,
    photo,
    secrets_in,
)


def _pixels(data: bytes) -> bytes:
    return opened(data).convert("RGBA").tobytes()


def _only_orientation(picture: Image.Image, orientation: int) -> None:
    exif = picture.getexif()
    assert dict(exif) == ({ORIENTATION: orientation} if orientation != 1 else {})
    assert not exif.get_ifd(GPS_IFD) and BODY_SERIAL not in exif.get_ifd(EXIF_IFD)


@pytest.mark.parametrize("orientation", [1, 6])
def test_a_phone_photo_loses_gps_serial_comment_xmp_iptc_and_trailer(orientation: int) -> None:
    original = photo(64, 48, orientation=orientation)
    assert len(secrets_in(original)) == 5  # the test photo carries each of them
    stripped = strip.strip(probe.JPEG, original)
    assert secrets_in(stripped.data) == [] and stripped.orientation == orientation
    picture = opened(stripped.data)
    _only_orientation(picture, orientation)
    assert not {"xmp", "comment", "photoshop"} & picture.info.keys()
    kept = {marker for marker, _ in picture.applist}  # type: ignore[attr-defined]
    assert kept <= {"APP0", "APP1"} and stripped.data.endswith(b"\xff\xd9")
    assert _pixels(stripped.data) == _pixels(original)  # not re-compressed: the same pixels


def test_a_jpeg_keeps_its_colour_profile_and_drops_its_jfif_thumbnail() -> None:
    profile = b"\x00\x00\x02\x30fake ICC profile bytes" + b"\x00" * 64
    out = io.BytesIO()
    halves(32, 16).save(out, "JPEG", icc_profile=profile)
    data = out.getvalue()
    thumbnail = b"JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x02\x01" + b"\xaa\xbb\xcc" * 2  # 2x1 RGB
    jfif = b"\xff\xe0" + struct.pack(">H", len(thumbnail) + 2) + thumbnail
    assert data[2:4] == b"\xff\xe0"
    data = data[:2] + jfif + data[4 + struct.unpack(">H", data[4:6])[0] :]
    stripped = strip.strip(probe.JPEG, data).data
    picture = opened(stripped)
    assert picture.info["icc_profile"] == profile
    assert b"\xaa\xbb\xcc" not in stripped and picture.info["jfif_density"] == (1, 1)


def test_a_progressive_jpeg_with_restart_markers_keeps_every_scan() -> None:
    out = io.BytesIO()
    Image.effect_noise((80, 60), 60).convert("RGB").save(
        out, "JPEG", progressive=True, exif=phone_exif(), restart_marker_blocks=1
    )
    data = out.getvalue()
    stripped = strip.strip(probe.JPEG, data).data
    assert data.count(b"\xff\xda") > 1 and stripped.count(b"\xff\xda") == data.count(b"\xff\xda")
    assert _pixels(stripped) == _pixels(data) and secrets_in(stripped) == []


def _png_with(chunks: list[tuple[bytes, bytes]], picture: Image.Image) -> bytes:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ada Lovelace")
    info.add_text("Comment", "taken at home, 12 Garden Lane", zip=True)
    info.add_itxt("Description", "Ada Lovelace's kitchen", lang="en")
    picture.save(out, "PNG", pnginfo=info, exif=phone_exif(8))
    data = out.getvalue()
    extra = b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in chunks
    )
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + extra + data[iend:] + b"Example trailing bytes"


def test_a_png_loses_text_exif_time_and_private_chunks_and_keeps_its_orientation() -> None:
    time_chunk = (b"tIME", b"\x07\xe9\x01\x02\x03\x04\x05")
    private = (b"prVt", b"Ada Lovelace private chunk")
    data = _png_with([time_chunk, private], halves(30, 20).convert("RGBA"))
    assert len(secrets_in(data)) >= 3
    stripped = strip.strip(probe.PNG, data)
    assert stripped.orientation == 8 and secrets_in(stripped.data) == []
    assert b"tIME" not in stripped.data and b"tEXt" not in stripped.data
    picture = opened(stripped.data)
    _only_orientation(picture, 8)
    assert picture.text == {}  # type: ignore[attr-defined]
    assert _pixels(stripped.data) == _pixels(data)


def test_an_animated_png_keeps_its_frames() -> None:
    frames = [halves(16, 16), halves(16, 16).transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:], duration=100)
    stripped = strip.strip(probe.PNG, out.getvalue()).data
    assert opened(stripped).n_frames == 2  # type: ignore[attr-defined]


def test_a_gif_loses_comments_and_xmp_and_keeps_its_animation() -> None:
    frames = [halves(20, 10).convert("P"), Image.new("P", (20, 10), 3)]
    out = io.BytesIO()
    frames[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[120, 80],
        loop=0,
        comment=b"taken at home, 12 Garden Lane",
    )
    data = out.getvalue() + b"Example trailing bytes"
    xmp = b"<x:xmpmeta>Ada Lovelace</x:xmpmeta>"
    xmp_block = b"\x21\xff\x0bXMP DataXMP" + bytes((len(xmp),)) + xmp + b"\x00"
    first_control = data.index(b"\x21\xf9")
    data = data[:first_control] + xmp_block + data[first_control:]
    assert len(secrets_in(data)) == 3
    stripped = strip.strip(probe.GIF, data).data
    assert secrets_in(stripped) == []
    picture = Image.open(io.BytesIO(stripped))
    assert picture.n_frames == 2 and picture.info["loop"] == 0  # type: ignore[attr-defined]
    assert picture.info["duration"] == 120 and "comment" not in picture.info


@pytest.mark.parametrize("orientation", [1, 3])
def test_a_webp_loses_exif_and_xmp_and_keeps_its_orientation(orientation: int) -> None:
    out = io.BytesIO()
    halves(24, 12).save(
        out, "WEBP", lossless=True, exif=phone_exif(orientation), xmp=b"<x>Ada Lovelace</x>"
    )
    data = out.getvalue()
    stripped = strip.strip(probe.WEBP, data)
    assert stripped.orientation == orientation and secrets_in(stripped.data) == []
    assert b"XMP " not in stripped.data
    assert struct.unpack("<I", stripped.data[4:8])[0] == len(stripped.data) - 8
    picture = opened(stripped.data)
    _only_orientation(picture, orientation)
    assert _pixels(stripped.data) == _pixels(data)


def _saved(picture: Image.Image, form: str, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, form, **options)
    return out.getvalue()


CASES = {  # whole files, without anything after their end
    "jpeg": (probe.JPEG, _saved(halves(40, 30), "JPEG", exif=phone_exif(6), comment=b"c")),
    "png": (probe.PNG, _saved(halves(12, 8), "PNG", exif=phone_exif(6))),
    "gif": (probe.GIF, _saved(halves(12, 8), "GIF", comment=b"c")),
    "webp": (probe.WEBP, _saved(halves(12, 8), "WEBP", exif=phone_exif(6))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cut_or_mangled_files_raise_damaged_and_nothing_else(name: str) -> None:
    kind, data = CASES[name]
    for end in range(0, len(data) - 1, max(1, len(data) // 300)):
        cut = data[:end]
        with pytest.raises(strip.Damaged):
            strip.strip(kind, cut)
    for at in range(0, len(data), max(1, len(data) // 200)):
        for value in (0x00, 0xFF, 0x7F):
            mangled = data[:at] + bytes((value,)) + data[at + 1 :]
            try:
                strip.strip(kind, mangled)
            except strip.Damaged:
                pass
