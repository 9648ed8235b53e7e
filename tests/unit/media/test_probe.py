"""Media sniffing and header sizes: what an upload is comes from its bytes, never its name."""

from __future__ import annotations

import struct

from fedihub.media import probe
from tests.api.mediakit import png


def test_png_size_from_its_header() -> None:
    assert probe.sniff(png(7, 5)) is probe.PNG
    assert probe.dimensions(png(7, 5)) == (7, 5)


def test_jpeg_size_from_the_frame_header_after_other_segments() -> None:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 480, 640, 1) + b"\x01\x11\x00"
    data = b"\xff\xd8" + app0 + sof + b"\xff\xda"
    assert probe.sniff(data) is probe.JPEG
    assert probe.dimensions(data) == (640, 480)


def test_gif_and_webp_sizes() -> None:
    assert probe.dimensions(b"GIF89a" + struct.pack("<HH", 12, 34) + b"\x00" * 8) == (12, 34)
    lossy = (
        b"RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00"
        + b"\x00\x00\x00\x9d\x01\x2a"
        + struct.pack("<HH", 100, 50)
    )
    assert probe.dimensions(lossy) == (100, 50)
    bits = (200 - 1) | ((80 - 1) << 14)
    lossless = b"RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f" + struct.pack("<I", bits)
    assert probe.dimensions(lossless) == (200, 80)
    extended = (
        b"RIFF\x00\x00\x00\x00WEBPVP8X"
        + b"\x00" * 8
        + (299).to_bytes(3, "little")
        + (149).to_bytes(3, "little")
    )
    assert probe.dimensions(extended) == (300, 150)


def test_audio_and_video_by_magic_bytes_and_others_refused() -> None:
    assert probe.sniff(b"\x00\x00\x00\x18ftypisom") is probe.MP4
    assert probe.sniff(b"\x1a\x45\xdf\xa3\x01") is probe.WEBM
    assert probe.sniff(b"ID3\x04\x00") is probe.MP3
    assert probe.sniff(b"OggS\x00\x02") is probe.OGG
    for data in (b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"%PDF-1.7", b"MZ\x90\x00", b""):
        assert probe.sniff(data) is None
    assert probe.dimensions(b"\xff\xd8\xff\xe0\x00") is None  # truncated: no size, no crash
