"""Video and audio files for tests, encoded with PyAV (FFmpeg's own encoders: no codec library
beyond the wheel's)."""

from __future__ import annotations

import io
from typing import Any

import av
from PIL import Image


def mp4(
    seconds: int = 1, size: tuple[int, int] = (320, 240), fps: int = 10, *, sound: bool = True
) -> bytes:
    """An MPEG-4 video (mpeg4 codec) with, if `sound`, silent stereo AAC at 44.1 kHz."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        video = container.add_stream("mpeg4", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        audio = _stream(container, "aac", 44100, "stereo") if sound else None
        for n in range(seconds * fps):
            picture = Image.new("RGB", size, (200, (30 + n * 5) % 200, 40))
            for packet in video.encode(av.VideoFrame.from_image(picture)):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if audio is not None:
            _silence(container, audio, 44100, "stereo", seconds)
    return out.getvalue()


def mp3(seconds: int = 1) -> bytes:
    """Silent mono MP3 at 48 kHz."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp3") as container:
        _silence(container, _stream(container, "mp3", 48000, "mono"), 48000, "mono", seconds)
    return out.getvalue()


def _stream(container: Any, codec: str, rate: int, layout: str) -> Any:
    stream = container.add_stream(codec, rate=rate)
    stream.layout = layout
    return stream


def _silence(container: Any, stream: Any, rate: int, layout: str, seconds: int) -> None:
    size = stream.codec_context.frame_size or 1024
    for n in range(rate * seconds // size):
        frame = av.AudioFrame(format=stream.codec_context.format.name, layout=layout, samples=size)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = rate
        frame.pts = n * size
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
