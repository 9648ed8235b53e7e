"""Images as Mastodon serves them: checked, stripped of their metadata, with a small preview, a
blurhash and their sizes (`meta.original`, `meta.small`).

Two steps, so a caller can put the second in the background: `check` is cheap and refuses what
must never be stored (an image bomb: more pixels than Mastodon's MAX_MATRIX_LIMIT, read from the
header before anything is decoded; a container that does not parse) and strips the metadata
without decoding (strip.py); `render` decodes (a JPEG only at the scale the preview needs) and
makes the preview and the blurhash. Both are plain CPU work on bytes: call them in a thread.

Pillow decodes, each file with the one decoder its sniffed kind names (never Pillow's guessing
among all its formats); any error a decoder raises on hostile bytes becomes a refusal.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import blurhash  # type: ignore[import-untyped]
from PIL import Image

from fedihub.errors import Invalid
from fedihub.media import probe, strip

MAX_PIXELS = 33_177_600  # 7680x4320, Mastodon's MAX_MATRIX_LIMIT (also in /api/v1/instance)
PREVIEW_SIDE = 640  # the preview's long side, as Mastodon's `small`
BLURHASH_COMPONENTS = (4, 4)  # Mastodon's BLURHASH_OPTIONS
_BLURHASH_SIDE = 32  # the hash keeps 4x4 cosines: a 32-px image gives the same ones, faster
PREVIEW_JPEG_QUALITY = 80
DAMAGED = "File could not be processed: the image is damaged or incomplete"

_DECODERS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
# Exif orientation -> the transposition that shows the picture upright
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def too_many_pixels(width: int, height: int) -> str:
    """Mastodon's words for an image over the pixel limit."""
    return f"{width}x{height} images are not supported"


@dataclass(frozen=True)
class Checked:
    """An image fit to store: its bytes without metadata, and its size as shown (upright)."""

    data: bytes
    kind: probe.Kind
    width: int
    height: int
    orientation: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class Rendition:
    """What decoding made: the preview (None when the original is small enough to be its own),
    its size, and the blurhash."""

    preview: bytes | None
    preview_kind: probe.Kind | None
    small_width: int
    small_height: int
    blurhash: str


def check(kind: probe.Kind, data: bytes) -> Checked:
    """Refuse an image bomb or a malformed file (Invalid, on `file`); strip the metadata."""
    size = probe.dimensions(data)
    if size is None:
        raise Invalid(DAMAGED, field="file")
    width, height = size
    if width * height > MAX_PIXELS:
        raise Invalid(too_many_pixels(width, height), field="file")
    try:
        stripped = strip.strip(kind, data)
    except strip.Damaged:
        raise Invalid(DAMAGED, field="file") from None
    if stripped.orientation >= 5:  # turned a quarter: shown with width and height swapped
        width, height = height, width
    return Checked(stripped.data, kind, width, height, stripped.orientation)


def check_bytes(data: bytes) -> Checked:
    """`check` for bytes of any image kind uploads accept (Invalid when they are none)."""
    kind = probe.sniff(data)
    if kind is None or kind.kind != "image":
        raise Invalid(DAMAGED, field="file")
    return check(kind, data)


def meta(checked: Checked, rendition: Rendition | None) -> dict[str, object]:
    """Mastodon's `meta` (without `focus`): `original`, and `small` once rendered."""
    shown: dict[str, object] = {"original": probe.original_meta(checked.width, checked.height)}
    if rendition is not None:
        shown["small"] = probe.original_meta(rendition.small_width, rendition.small_height)
    return shown


def render(checked: Checked) -> Rendition:
    """Decode the first frame; make the preview and the blurhash (Invalid when it won't decode)."""
    try:
        picture = _decode(checked)
    except Invalid:
        raise
    except Exception:  # hostile bytes make decoders raise many kinds of error: each is a refusal
        raise Invalid(DAMAGED, field="file") from None
    # the decoded picture may be a JPEG's reduced draft: the original's size decides
    return render_picture(picture, preview=max(checked.width, checked.height) > PREVIEW_SIDE)


def render_picture(picture: Image.Image, *, preview: bool) -> Rendition:
    """The blurhash of a decoded picture, and with `preview` its preview, at most PREVIEW_SIDE on
    its long side (a video's frame always gets one: the video cannot show itself as an image);
    without, the picture is its own preview."""
    small: bytes | None = None
    preview_kind: probe.Kind | None = None
    if preview:
        picture.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
        small, preview_kind = _encode_preview(picture)
    small_width, small_height = picture.size
    return Rendition(small, preview_kind, small_width, small_height, _blurhash(picture))


def _decode(checked: Checked) -> Image.Image:
    """The first frame, upright, in RGB or RGBA; a JPEG at the smallest DCT scale that still
    covers the preview (a 12-megapixel photo decodes at an eighth of its pixels)."""
    decoder = _DECODERS[checked.kind.content_type]
    with Image.open(io.BytesIO(checked.data), formats=[decoder]) as opened:
        width, height = opened.size
        if width * height > MAX_PIXELS:  # a decoder that read another size than the header's
            raise Invalid(too_many_pixels(width, height), field="file")
        if decoder == "JPEG":
            side = min(PREVIEW_SIDE, max(width, height))
            scale = side / max(width, height)
            opened.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))
        opened.load()
        picture = _as_rgb(opened)
    method = _UPRIGHT.get(checked.orientation)
    return picture.transpose(method) if method is not None else picture


def _as_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA"):
        return image.copy()
    if image.mode.startswith("I;16") or image.mode == "I":  # 16-bit grey: keep the high byte
        grey = image.convert("I").point(lambda value: value * (1 / 256))
        return grey.convert("L").convert("RGB")
    transparent = "A" in image.mode or "transparency" in image.info
    return image.convert("RGBA" if transparent else "RGB")


def _encode_preview(picture: Image.Image) -> tuple[bytes, probe.Kind]:
    out = io.BytesIO()
    if picture.mode == "RGBA":
        least_alpha = picture.getchannel("A").getextrema()[0]
        if isinstance(least_alpha, int | float) and least_alpha < 255:  # some pixel see-through
            picture.save(out, "PNG")
            return out.getvalue(), probe.PNG
    picture.convert("RGB").save(out, "JPEG", quality=PREVIEW_JPEG_QUALITY)
    return out.getvalue(), probe.JPEG


def _blurhash(picture: Image.Image) -> str:
    tiny = picture.convert("RGB")
    tiny.thumbnail((_BLURHASH_SIDE, _BLURHASH_SIDE), Image.Resampling.BOX)
    width, height = tiny.size
    raw = tiny.tobytes()
    rows = [
        [raw[(y * width + x) * 3 : (y * width + x) * 3 + 3] for x in range(width)]
        for y in range(height)
    ]
    x_components, y_components = BLURHASH_COMPONENTS
    return str(blurhash.encode(rows, x_components, y_components))
