"""The pure parts of meetings: iCalendar folding and escaping (RFC 5545 §3.1, §3.3.11), the
BigBlueButton checksum (its API docs: sha1 of call name, query string and shared secret), Jitsi
room names, and reading an Event a peer sends (FEP-8a8e, and Mobilizon's room fields)."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from fedihub.activitypub.event_doc import event_doc
from fedihub.config import Settings
from fedihub.errors import BadRequest
from fedihub.meetings import calendar, rooms


def test_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    line = "SUMMARY:" + "é" * 100
    folded = calendar.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    assert calendar.fold("SHORT:x") == "SHORT:x"


def test_text_values_are_escaped() -> None:
    assert calendar.escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def test_bbb_calls_carry_the_checksum_of_the_shared_secret() -> None:
    settings = Settings(bbb_url="https://bbb.example.org/bigbluebutton/", bbb_secret="s3cret")
    url = rooms.bbb_join_url(settings, "room-1", "Ada Lovelace")
    parts = urlsplit(url)
    assert parts.path == "/bigbluebutton/api/join"
    query, checksum = parts.query.rsplit("&checksum=", 1)
    assert checksum == hashlib.sha1(f"join{query}s3cret".encode()).hexdigest()
    values = parse_qs(query)
    assert values["meetingID"] == ["room-1"] and values["fullName"] == ["Ada Lovelace"]
    create = rooms.bbb_create_url(settings, "room-1", "Sync")
    assert urlsplit(create).path.endswith("/api/create")
    assert parse_qs(urlsplit(create).query)["moderatorPW"] == values["password"]
    assert rooms.engine(settings) == rooms.BBB


def test_jitsi_rooms_are_unguessable_and_none_without_an_engine() -> None:
    settings = Settings(jitsi_url="https://meet.example.org/")
    one, two = rooms.new_room(settings), rooms.new_room(settings)
    assert one is not None and two is not None and one.secret != two.secret
    assert len(one.secret) >= 32
    assert rooms.jitsi_url(settings, one.secret) == f"https://meet.example.org/{one.secret}"
    assert rooms.new_room(Settings()) is None


def test_an_event_is_read_with_its_room_from_location_or_mobilizon_fields() -> None:
    base = {
        "id": "https://a.example/projects/lab/meetings/1",
        "type": "Event",
        "name": "Sync",
        "startTime": "2026-03-02T14:00:00Z",
        "endTime": "2026-03-02T15:00:00Z",
        "timezone": "Europe/Berlin",
        "eventStatus": "https://schema.org/EventCancelled",
    }
    located = event_doc(
        {
            **base,
            "location": {"type": "VirtualLocation", "name": "Jitsi Meet", "url": "https://m/x"},
        }
    )
    assert located.room_url == "https://m/x" and located.room_engine == "jitsi"
    assert located.cancelled and located.timezone == "Europe/Berlin"
    mobilizon = event_doc(
        {
            **base,
            "eventStatus": "EventScheduled",
            "attachment": [
                {
                    "type": "PropertyValue",
                    "propertyID": "mz:visio:big_blue_button",
                    "value": "https://bbb/j",
                }
            ],
        }
    )
    assert mobilizon.room_url == "https://bbb/j" and mobilizon.room_engine == "bbb"
    assert not mobilizon.cancelled
    with pytest.raises(BadRequest):
        event_doc({**base, "endTime": "2026-03-02T13:00:00Z"})
    with pytest.raises(BadRequest):
        event_doc({k: v for k, v in base.items() if k != "startTime"})


def test_video_engine_settings_are_checked_at_start() -> None:
    from fedihub.config import validate
    from fedihub.errors import ConfigError

    for bad in (
        Settings(jitsi_url="meet.example.org"),
        Settings(bbb_url="https://bbb.example.org/bigbluebutton/"),
        Settings(jitsi_url="https://m.example", bbb_url="https://b.example", bbb_secret="s"),
    ):
        with pytest.raises(ConfigError):
            validate(bad)
    assert validate(Settings(jitsi_url="https://meet.example.org")).jitsi_url
