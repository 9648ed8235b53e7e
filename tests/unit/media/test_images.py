"""Images checked and rendered: bombs refused from their header, before anything is decoded;
damaged files refused with a clear message; previews upright and at most 640 px; blurhashes that
decode; sizes as Mastodon's `meta` gives them."""

from __future__ import annotations

import base64
import io
import re
import struct
import time
import zlib

import blurhash
import pytest
from PIL import Image

from fedihub.errors import Invalid
from fedihub.media import images, probe
from tests.api.mediakit import halves, opened, photo, png


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header(width: int, height: int) -> bytes:
    """A PNG claiming a size, with one row of real data: what an image bomb looks like."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    rows = zlib.compress(b"\x00" * (1 + 3 * min(width, 1000)))
    return b"\x89PNG\r\n\x1a\n" + header + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


BOMBS = {
    "png": _png_header(30000, 30000),
    "jpeg": b"\xff\xd8\xff\xc0" + struct.pack(">HBHHB", 11, 8, 20000, 20000, 1) + b"\x01\x11\x00",
    "gif": b"GIF89a" + struct.pack("<HH", 60000, 60000) + b"\x00\x00\x00" + b"\x2c" + b"\x00" * 9,
    "webp": b"RIFF" + struct.pack("<I", 22) + b"WEBPVP8X" + struct.pack("<I", 10) + b"\x00" * 4
    + (9999).to_bytes(3, "little") + (9999).to_bytes(3, "little"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_an_image_bomb_is_refused_from_its_header(name: str) -> None:
    data = BOMBS[name]
    kind = probe.sniff(data)
    assert kind is not None
    width, height = probe.dimensions(data) or (0, 0)
    started = time.process_time()
    with pytest.raises(Invalid) as refused:
        images.check(kind, data)
    assert refused.value.public == f"{width}x{height} images are not supported"
    assert refused.value.field == "file"
    assert time.process_time() - started < 0.05  # nothing was decoded


def test_the_largest_allowed_image_passes_the_check() -> None:
    data = _png_header(7680, 4320)
    assert images.check(probe.PNG, data).pixels == images.MAX_PIXELS


def test_a_photo_renders_upright_with_a_640_px_preview_and_a_blurhash() -> None:
    checked = images.check(probe.JPEG, photo(1600, 1200, orientation=6))
    assert (checked.width, checked.height, checked.orientation) == (1200, 1600, 6)
    rendition = images.render(checked)
    assert rendition.preview is not None and rendition.preview_kind is probe.JPEG
    preview = opened(rendition.preview)
    assert preview.size == (rendition.small_width, rendition.small_height) == (480, 640)
    assert not preview.getexif()  # upright pixels need no tag
    top, bottom = preview.getpixel((240, 20)), preview.getpixel((240, 620))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # red above, blue below
    decoded = blurhash.decode(rendition.blurhash, 4, 4)
    assert decoded[0][0][0] > decoded[0][0][2] and decoded[3][0][2] > decoded[3][0][0]
    assert images.meta(checked, rendition) == {
        "original": {"width": 1200, "height": 1600, "size": "1200x1600", "aspect": 0.75},
        "small": {"width": 480, "height": 640, "size": "480x640", "aspect": 0.75},
    }


def test_a_small_image_is_its_own_preview() -> None:
    rendition = images.render(images.check(probe.PNG, png(300, 200)))
    assert rendition.preview is None
    assert (rendition.small_width, rendition.small_height) == (300, 200)
    assert len(rendition.blurhash) == 4 + 2 * 4 * 4


def test_a_transparent_image_gets_a_png_preview() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (900, 300), (10, 200, 10, 0)).save(out, "PNG")
    rendition = images.render(images.check(probe.PNG, out.getvalue()))
    assert rendition.preview_kind is probe.PNG and rendition.preview is not None
    assert opened(rendition.preview).mode == "RGBA"


def test_a_16_bit_grey_image_keeps_its_tones() -> None:
    grey = Image.linear_gradient("L").resize((800, 800)).convert("I")
    out = io.BytesIO()
    grey.point(lambda v: v * 257).convert("I;16").save(out, "PNG")
    rendition = images.render(images.check(probe.PNG, out.getvalue()))
    assert rendition.preview is not None
    preview = opened(rendition.preview).convert("L")
    top, bottom = preview.getpixel((320, 5)), preview.getpixel((320, 634))
    assert isinstance(top, int) and isinstance(bottom, int) and top < 20 and bottom > 230


def _damaged_png() -> bytes:
    """A PNG whose container is sound and whose image data is not."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
    broken = zlib.compress(b"\x00" * 100)[:-6] + b"\xde\xad\xbe\xef\x00\x01"
    return b"\x89PNG\r\n\x1a\n" + header + _chunk(b"IDAT", broken) + _chunk(b"IEND", b"")


DAMAGED = {
    "cut jpeg": (probe.JPEG, photo(200, 100)[:900]),
    "cut png": (probe.PNG, png(50, 50)[:-20]),
    "png with broken image data": (probe.PNG, _damaged_png()),
    "jpeg without a frame": (probe.JPEG, b"\xff\xd8\xff\xfe\x00\x04hi\xff\xd9"),
    "gif cut in its first frame": (
        probe.GIF,
        (lambda out: (halves(30, 30).save(out, "GIF"), out.getvalue()[:-30])[1])(io.BytesIO()),
    ),
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_a_damaged_image_is_refused_with_a_clear_message(name: str) -> None:
    kind, data = DAMAGED[name]
    with pytest.raises(Invalid) as refused:
        images.render(images.check(kind, data))
    assert refused.value.public == images.DAMAGED and refused.value.field == "file"


def test_storage_folder_names_are_128_random_bits_without_a_time_prefix() -> None:
    from fedihub.media import storage

    names = [storage.new_folder().removeprefix("attachments/") for _ in range(1000)]
    assert len(set(names)) == 1000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", n) for n in names)
    assert all(len(base64.urlsafe_b64decode(n + "==")) == 16 for n in names)
    # a time-ordered name shares its first characters with the names made just before it
    assert len({n[:2] for n in names}) > 600


def _saved(picture: Image.Image, form: str, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, form, **options)
    return out.getvalue()


MUTABLE = {
    "jpeg": _saved(halves(64, 48), "JPEG", progressive=True),
    "png": _saved(halves(64, 48).convert("P"), "PNG", transparency=0),
    "gif": _saved(
        halves(64, 48).convert("P"), "GIF", save_all=True, append_images=[halves(64, 48)]
    ),
    "webp": _saved(halves(64, 48).convert("RGBA"), "WEBP"),
}


@pytest.mark.parametrize("name", sorted(MUTABLE))
def test_random_damage_is_refused_as_invalid_and_never_raises_anything_else(name: str) -> None:
    import random

    rng, data = random.Random(name), MUTABLE[name]
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        kind = probe.sniff(bytes(damaged))
        if kind is None or kind.kind != "image":
            continue
        try:
            images.render(images.check(kind, bytes(damaged)))
        except Invalid:
            pass
