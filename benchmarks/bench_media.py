"""What processing an uploaded image costs: CPU milliseconds per image for the check (header pixel
bound and metadata stripped, media/images.check) and the rendering (decode, 640-px preview and
blurhash, images.render), on a 12-megapixel phone photo (JPEG, 4000x3000, quality 90, with Exif
GPS and serial) and on PNGs of 12 and 4 megapixels (the largest processed inline by default).

    python -m benchmarks.bench_media [--results FILE] [--runs 5]

For comparison, the cost of stripping by decoding and re-encoding the original instead (what a
Pillow `save` without the metadata does, and a loss of quality for a JPEG). Medians of `--runs`.
"""

from __future__ import annotations

import io
import random
import statistics
import time
from collections.abc import Callable

from PIL import Image, ImageDraw

from benchmarks.common import parser, print_machine, record
from fedihub.media import images, probe
from tests.api.mediakit import phone_exif


def _scene(width: int, height: int, seed: int = 2026) -> Image.Image:
    """Something like a photo: overlapping shapes of many colours, and sensor noise."""
    rng = random.Random(seed)
    picture = Image.new("RGB", (width, height), (90, 110, 130))
    draw = ImageDraw.Draw(picture)
    for _ in range(300):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 40, width // 4), rng.randrange(height // 40, height // 4)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x, y, x + w, y + h), fill=colour)
    noise = Image.effect_noise((width, height), 30).convert("RGB")
    return Image.blend(picture, noise, 0.12)


def _encoded(picture: Image.Image, form: str, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, form, **options)
    return out.getvalue()


def _cpu_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def _reencoded(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        return _encoded(opened.convert("RGB"), opened.format or "PNG", quality=90)


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)
    print_machine()
    big = _scene(4000, 3000)
    cases = {
        "jpeg 12 MP": _encoded(big, "JPEG", quality=90, exif=phone_exif(6)),
        "png 12 MP": _encoded(big, "PNG"),
        "png 4 MP": _encoded(_scene(2048, 2048), "PNG"),
    }
    for name, data in cases.items():
        kind = probe.sniff(data)
        assert kind is not None
        checked = images.check(kind, data)
        rendition = images.render(checked)
        check_ms = _cpu_ms(lambda: images.check(kind, data), args.runs)  # noqa: B023
        render_ms = _cpu_ms(lambda: images.render(checked), args.runs)  # noqa: B023
        reencode_ms = _cpu_ms(lambda: _reencoded(data), max(1, args.runs // 2))  # noqa: B023
        print(
            f"{name}: {len(data):,} B in, {len(checked.data):,} B stored, "
            f"preview {len(rendition.preview or b''):,} B "
            f"({rendition.small_width}x{rendition.small_height})"
        )
        record(args.results, "media", f"{name} check (strip) CPU", check_ms, "ms", "none", 1)
        record(args.results, "media", f"{name} render CPU", render_ms, "ms", "none", 1)
        total = check_ms + render_ms
        record(args.results, "media", f"{name} check + render CPU", total, "ms", "none", 1)
        record(args.results, "media", f"{name} re-encode instead CPU", reencode_ms, "ms", "none", 1)


if __name__ == "__main__":
    main()
