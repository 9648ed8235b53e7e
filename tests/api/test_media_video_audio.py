"""Video and audio uploads as Mastodon describes them: `meta` from the container (length,
duration, fps, sizes, audio encoding, rate and channels, `original` and `small`), a video's first
frame as its preview with a blurhash, no preview for audio (null, as Mastodon's), and files
FFmpeg cannot read or frames over Mastodon's video_matrix_limit refused."""

from __future__ import annotations

import io
from typing import Any

from apikit import bearer, json_of, make_token, make_user
from avkit import mp3, mp4
from PIL import Image
from quart.datastructures import FileStorage
from test_entity_shapes import check

from fedihub.media import timed


async def _upload(client: Any, token: str, data: bytes, name: str) -> Any:
    files = {"file": FileStorage(io.BytesIO(data), filename=name)}
    return await client.post("/api/v2/media", headers=bearer(token), files=files)


async def test_a_video_gets_mastodons_meta_and_a_preview_of_its_first_frame(client: Any) -> None:
    token = await make_token(await make_user(client.app))
    body = await json_of(await _upload(client, token, mp4(seconds=2, size=(800, 450)), "v.mp4"))
    check("MediaAttachment", body)
    meta = body["meta"]
    assert body["type"] == "video" and body["url"].endswith(".mp4")
    assert meta["width"] == 800 and meta["height"] == 450 and meta["size"] == "800x450"
    assert meta["fps"] == 10 and meta["original"]["frame_rate"] == "10/1"
    assert 1.9 <= meta["duration"] <= 2.2 and meta["length"].startswith("0:00:02")
    assert meta["original"]["width"] == 800 and meta["original"]["bitrate"] > 0
    assert meta["audio_encode"] == "aac (LC)" and meta["audio_channels"] == "stereo"
    assert meta["audio_bitrate"] == "44100 Hz"
    assert meta["small"] == {"width": 640, "height": 360, "size": "640x360", "aspect": 1.777778}
    assert body["blurhash"] and body["preview_url"] != body["url"]
    served = await client.get(body["preview_url"].removeprefix("https://fedihub.test"))
    preview = Image.open(io.BytesIO(await served.get_data()))
    assert preview.format == "JPEG" and preview.size == (640, 360)


async def test_a_small_silent_video_still_gets_a_picture_preview(client: Any) -> None:
    token = await make_token(await make_user(client.app))
    body = await json_of(await _upload(client, token, mp4(sound=False), "v.mp4"))
    assert "audio_encode" not in body["meta"] and body["meta"]["small"]["width"] == 320
    assert body["preview_url"].endswith(".jpg")


async def test_audio_gets_its_meta_and_no_preview(client: Any) -> None:
    token = await make_token(await make_user(client.app))
    body = await json_of(await _upload(client, token, mp3(seconds=2), "a.mp3"))
    check("MediaAttachment", body)
    meta = body["meta"]
    assert body["type"] == "audio" and body["preview_url"] is None and body["blurhash"] is None
    assert meta["audio_encode"] == "mp3" and meta["audio_channels"] == "mono"
    assert meta["audio_bitrate"] == "48000 Hz" and 1.9 <= meta["duration"] <= 2.2
    assert meta["original"]["duration"] == meta["duration"] and "width" not in meta


async def test_unreadable_files_and_huge_frames_are_refused(client: Any) -> None:
    token = await make_token(await make_user(client.app))
    damaged = b"\x00\x00\x00\x18ftypisom" + bytes(2000)
    answer = await _upload(client, token, damaged, "v.mp4")
    assert (
        answer.status_code == 422 and "could not be processed" in (await answer.get_json())["error"]
    )
    cut = mp3()[:40]
    assert (await _upload(client, token, cut, "a.mp3")).status_code == 422
    huge = mp4(size=(3840, 2176), sound=False)  # over 3840x2160
    answer = await _upload(client, token, huge, "v.mp4")
    assert answer.status_code == 422
    assert (await answer.get_json())["error"].endswith("3840x2176 images are not supported")
    assert timed.MAX_VIDEO_PIXELS == 3840 * 2160
