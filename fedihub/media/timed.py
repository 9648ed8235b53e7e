"""Video and audio as Mastodon describes them: `meta` (length, duration, fps, size, audio
encoding, rate and channels, `original` with frame rate, duration and bitrate) and, for a
video, a preview picture from its first frame with its blurhash (Mastodon's `small`).

PyAV (FFmpeg's libraries) reads the container; nothing is transcoded. Bounded like images: a
video with more pixels per frame than Mastodon's video_matrix_limit is refused from its stream
header, before anything is decoded, and at most MAX_PACKETS packets are read to find the first
frame. Any error FFmpeg raises on hostile bytes is a refusal. Plain CPU work: call in a thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

import av
from PIL import Image

from fedihub.errors import Invalid
from fedihub.media import images, probe

MAX_VIDEO_PIXELS = 8_294_400  # Mastodon's video_matrix_limit (3840x2160; /api/v1/instance)
MAX_PACKETS = 500
DAMAGED = "File could not be processed: the video or audio is damaged or incomplete"
_CHANNELS = {1: "mono", 2: "stereo"}


@dataclass(frozen=True)
class Timed:
    """What reading a video or audio file found: Mastodon's `meta`, and a video's preview."""

    meta: dict[str, object]
    rendition: images.Rendition | None


def inspect(kind: probe.Kind, data: bytes) -> Timed:
    """Read a video or audio upload (Invalid when FFmpeg cannot, or a frame is too large)."""
    try:
        return _inspect(kind, data)
    except Invalid:
        raise
    except Exception:  # hostile bytes make FFmpeg raise many kinds of error: each is a refusal
        raise Invalid(DAMAGED, field="file") from None


def _length(seconds: float) -> str:
    """Mastodon's `length`: H:MM:SS.cc."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours)}:{int(minutes):02d}:{secs:05.2f}"


def _inspect(kind: probe.Kind, data: bytes) -> Timed:
    with av.open(io.BytesIO(data), mode="r") as container:
        duration = round(container.duration / av.time_base, 2) if container.duration else None
        bitrate = int(container.bit_rate) if container.bit_rate else None
        meta: dict[str, object] = {}
        original: dict[str, object] = {}
        if duration is not None:
            meta["length"] = _length(duration)
            meta["duration"] = duration
            original["duration"] = duration
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        if audio is not None:
            context = audio.codec_context
            # the codec's name, not its decoder's (mp3, not mp3float), with the profile as
            # ffprobe writes it: "aac (LC)"
            profile = f" ({context.profile})" if context.profile else ""
            meta["audio_encode"] = f"{context.codec.canonical_name}{profile}"
            if context.sample_rate:
                meta["audio_bitrate"] = f"{context.sample_rate} Hz"
            channels = context.channels
            meta["audio_channels"] = _CHANNELS.get(channels, f"{channels} channels")
        rendition = None
        if video is not None and kind.kind == "video":
            width, height = video.codec_context.width, video.codec_context.height
            if not width or not height:
                raise Invalid(DAMAGED, field="file")
            if width * height > MAX_VIDEO_PIXELS:
                raise Invalid(images.too_many_pixels(width, height), field="file")
            rate = video.average_rate or video.guessed_rate
            size = probe.original_meta(width, height)
            meta.update(size)
            if rate:
                meta["fps"] = round(float(rate))
                fraction = Fraction(rate)
                original["frame_rate"] = f"{fraction.numerator}/{fraction.denominator}"
            original.update({"width": width, "height": height})
            picture = _first_frame(container, video)
            rendition = images.render_picture(picture, preview=True)
            meta["small"] = probe.original_meta(rendition.small_width, rendition.small_height)
        if bitrate is not None:
            original["bitrate"] = bitrate
        if original:
            meta["original"] = original
        if kind.kind == "video" and rendition is None:
            raise Invalid(DAMAGED, field="file")  # a "video" without a picture
        return Timed(meta, rendition)


def _first_frame(container: av.container.InputContainer, stream: av.VideoStream) -> Image.Image:
    for count, packet in enumerate(container.demux(stream)):
        if count >= MAX_PACKETS:
            break
        for frame in packet.decode():
            if isinstance(frame, av.VideoFrame):
                picture: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
                return picture
    raise Invalid(DAMAGED, field="file")
