"""Scheduled statuses: POST /api/v1/statuses with `scheduled_at`, /api/v1/scheduled_statuses, and
their publication by the periodic sweep and its jobs (once, however many workers run them).

Shapes are checked against Mastodon's OpenAPI description; errors carry Mastodon's words."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apikit import bearer, make_token, make_user, remote_actor
from mediakit import png
from test_entity_shapes import check
from werkzeug.datastructures import FileStorage

from fedihub import jobs, models
from fedihub.models import FollowState
from fedihub.runtime import Runtime
from fedihub.social import scheduled
from fedihub.web import metrics as web_metrics
from fedihub.web.common import RUNTIME_KEY

TOO_SOON = "Validation failed: Scheduled at date must be in the future"


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _later(**delta: float) -> datetime:
    return (datetime.now(UTC) + timedelta(**delta)).replace(microsecond=0)


async def _schedule(client: Any, token: str, at: datetime | str, **body: Any) -> Any:
    when = at if isinstance(at, str) else _iso(at)
    return await client.post(
        "/api/v1/statuses",
        json={"status": "later", **body, "scheduled_at": when},
        headers=bearer(token),
    )


async def _upload(client: Any, token: str) -> str:
    files = {"file": FileStorage(io.BytesIO(png(4, 3)), filename="p.png", content_type="image/png")}
    response = await client.post("/api/v2/media", headers=bearer(token), files=files)
    assert response.status_code == 200
    return str((await response.get_json())["id"])


async def _make_due(scheduled_id: str) -> None:
    await models.ScheduledStatus.filter(id=int(scheduled_id)).update(
        scheduled_at=datetime.now(UTC) - timedelta(seconds=3)
    )


async def _own_statuses(client: Any, user: models.User, token: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/accounts/{user.actor_id}/statuses", headers=bearer(token))
    return list(await response.get_json())


async def _assert_none_left(client: Any, token: str, scheduled_id: str) -> None:
    one = await client.get(f"/api/v1/scheduled_statuses/{scheduled_id}", headers=bearer(token))
    assert one.status_code == 404
    listed = await client.get("/api/v1/scheduled_statuses", headers=bearer(token))
    assert await listed.get_json() == []


def _rt(client: Any) -> Runtime:
    return client.app.extensions[RUNTIME_KEY]  # type: ignore[no-any-return]


async def test_a_scheduled_status_is_kept_listed_moved_and_cancelled_with_its_media(
    client: Any,
) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    media_id = await _upload(client, token)
    at = _later(hours=1)
    response = await _schedule(
        client,
        token,
        at,
        status="Seminar at noon",
        visibility="unlisted",
        spoiler_text="admin",
        media_ids=[media_id],
        language="en",
    )
    assert response.status_code == 200
    body = await response.get_json()
    check("ScheduledStatus", body)
    assert body["scheduled_at"] == _iso(at)
    assert (
        body["params"]["text"] == "Seminar at noon" and body["params"]["visibility"] == "unlisted"
    )
    assert body["params"]["spoiler_text"] == "admin" and body["params"]["media_ids"] == [media_id]
    assert body["params"]["scheduled_at"] is None and body["params"]["with_rate_limit"] is False
    assert [m["id"] for m in body["media_attachments"]] == [media_id]
    assert await _own_statuses(client, ada, token) == []  # nothing is posted yet

    # the media are held: not deletable, not attachable to another post
    assert (
        await client.delete(f"/api/v1/media/{media_id}", headers=bearer(token))
    ).status_code == 404
    other = await client.post(
        "/api/v1/statuses", json={"status": "x", "media_ids": [media_id]}, headers=bearer(token)
    )
    assert other.status_code == 422

    listed = await client.get("/api/v1/scheduled_statuses", headers=bearer(token))
    assert [s["id"] for s in await listed.get_json()] == [body["id"]]
    for item in await listed.get_json():
        check("ScheduledStatus", item)
    one = await client.get(f"/api/v1/scheduled_statuses/{body['id']}", headers=bearer(token))
    assert (await one.get_json()) == body

    moved_to = _later(hours=3)
    moved = await client.put(
        f"/api/v1/scheduled_statuses/{body['id']}",
        json={"scheduled_at": _iso(moved_to)},
        headers=bearer(token),
    )
    assert moved.status_code == 200
    check("ScheduledStatus", await moved.get_json())
    assert (await moved.get_json())["scheduled_at"] == _iso(moved_to)
    shown = await client.get(f"/api/v1/scheduled_statuses/{body['id']}", headers=bearer(token))
    assert (await shown.get_json())["scheduled_at"] == _iso(moved_to)

    gone = await client.delete(f"/api/v1/scheduled_statuses/{body['id']}", headers=bearer(token))
    assert gone.status_code == 200 and await gone.get_json() == {}
    await _assert_none_left(client, token, body["id"])
    # its media are free uploads again
    freed = await client.post(
        "/api/v1/statuses", json={"status": "now", "media_ids": [media_id]}, headers=bearer(token)
    )
    assert freed.status_code == 200 and [
        m["id"] for m in (await freed.get_json())["media_attachments"]
    ] == [media_id]


async def test_the_list_pages_newest_first_with_link_headers(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    ids = [
        (await (await _schedule(client, token, _later(hours=1 + i))).get_json())["id"]
        for i in range(3)
    ]
    first = await client.get("/api/v1/scheduled_statuses?limit=2", headers=bearer(token))
    assert [s["id"] for s in await first.get_json()] == [ids[2], ids[1]]
    link = first.headers["Link"]
    assert f"max_id={ids[1]}" in link and f"min_id={ids[2]}" in link and "limit=2" in link
    older = await client.get(
        f"/api/v1/scheduled_statuses?limit=2&max_id={ids[1]}", headers=bearer(token)
    )
    assert [s["id"] for s in await older.get_json()] == [ids[0]]


async def test_bad_times_foreign_ids_and_scopes_are_refused(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    token, bob_token = await make_token(ada), await make_token(bob)
    too_soon = await _schedule(client, token, _later(minutes=4))
    assert too_soon.status_code == 422 and (await too_soon.get_json())["error"] == TOO_SOON
    bad = await _schedule(client, token, "next tuesday")
    assert bad.status_code == 422 and "Scheduled at" in (await bad.get_json())["error"]
    assert (await _schedule(client, token, "9999-12-31T23:59:59Z")).status_code == 422
    blank = await _schedule(client, token, _later(hours=1), status="")
    assert blank.status_code == 422 and "blank" in (await blank.get_json())["error"]
    # a time already past posts at once, as on Mastodon
    past = await _schedule(client, token, _later(minutes=-1), status="right away")
    assert past.status_code == 200
    check("Status", await past.get_json())
    assert "right away" in (await past.get_json())["content"]

    mine = await (await _schedule(client, token, _later(hours=1))).get_json()
    path = f"/api/v1/scheduled_statuses/{mine['id']}"
    soon = await client.put(
        path, json={"scheduled_at": _iso(_later(minutes=2))}, headers=bearer(token)
    )
    assert soon.status_code == 422 and (await soon.get_json())["error"] == TOO_SOON
    assert (
        await client.put(path, json={"scheduled_at": "soon"}, headers=bearer(token))
    ).status_code == 422
    for method in ("GET", "PUT", "DELETE"):
        answer = await client.open(
            path,
            method=method,
            json={"scheduled_at": _iso(_later(hours=2))},
            headers=bearer(bob_token),
        )
        assert answer.status_code == 404, method
        assert (await client.open(path, method=method)).status_code == 401, method
    assert [
        s["id"]
        for s in await (
            await client.get("/api/v1/scheduled_statuses", headers=bearer(token))
        ).get_json()
    ] == [mine["id"]]

    read_only, write_only = await make_token(ada, "read"), await make_token(ada, "write")
    assert (await _schedule(client, read_only, _later(hours=2))).status_code == 403
    assert (await client.delete(path, headers=bearer(read_only))).status_code == 403
    assert (
        await client.put(
            path, json={"scheduled_at": _iso(_later(hours=2))}, headers=bearer(read_only)
        )
    ).status_code == 403
    assert (
        await client.get("/api/v1/scheduled_statuses", headers=bearer(write_only))
    ).status_code == 403
    assert (await client.get(path, headers=bearer(write_only))).status_code == 403
    assert (
        await client.get(path, headers=bearer(await make_token(ada, "read:statuses")))
    ).status_code == 200


async def test_mastodons_daily_and_total_limits(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    day = (datetime.now(UTC) + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    await models.ScheduledStatus.bulk_create(
        [
            models.ScheduledStatus(
                actor_id=ada.actor_id, scheduled_at=day + timedelta(minutes=i), params={}
            )
            for i in range(25)
        ]
    )
    full = await _schedule(client, token, day.replace(hour=23))
    assert full.status_code == 422
    assert (await full.get_json())[
        "error"
    ] == "Validation failed: You have exceeded the limit of 25 scheduled posts for today"
    assert (await _schedule(client, token, day + timedelta(days=1))).status_code == 200
    # moving one onto the full day is refused as well
    other = await (await _schedule(client, token, day + timedelta(days=3))).get_json()
    moved = await client.put(
        f"/api/v1/scheduled_statuses/{other['id']}",
        json={"scheduled_at": _iso(day)},
        headers=bearer(token),
    )
    assert moved.status_code == 422 and "for today" in (await moved.get_json())["error"]

    start = day + timedelta(days=10)
    await models.ScheduledStatus.bulk_create(
        [
            models.ScheduledStatus(
                actor_id=ada.actor_id, scheduled_at=start + timedelta(days=i // 20), params={}
            )
            for i in range(300 - 27)
        ]
    )
    over = await _schedule(client, token, day + timedelta(days=40))
    assert over.status_code == 422
    assert (await over.get_json())[
        "error"
    ] == "Validation failed: You have exceeded the limit of 300 scheduled posts"


async def test_a_due_status_is_published_once_by_concurrent_sweeps_and_federates(
    client: Any,
) -> None:
    # Given ada, followed by a remote zoe, scheduling an unlisted post with media that mentions bob
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    token, bob_token = await make_token(ada), await make_token(bob)
    zoe = await remote_actor("zoe", "far.example")
    await models.Follow.create(follower=zoe, target=ada.actor, state=FollowState.ACCEPTED)
    media_id = await _upload(client, token)
    made = await (
        await _schedule(
            client,
            token,
            _later(hours=2),
            status="@bob results are out",
            visibility="unlisted",
            media_ids=[media_id],
        )
    ).get_json()
    rt = _rt(client)
    # When nothing is due, the sweep enqueues nothing
    assert await scheduled.enqueue_due(rt) == 0
    # When its time has come and two workers sweep at once
    await _make_due(made["id"])
    metrics_text = await (
        await client.get("/metrics", scope_base={"client": ("127.0.0.1", 4000)})
    ).get_data(as_text=True)
    overdue = [
        ln
        for ln in metrics_text.splitlines()
        if ln.startswith("fedihub_scheduled_statuses_overdue_seconds")
    ]
    assert overdue and float(overdue[0].split()[-1]) >= 2
    new_jobs = await asyncio.gather(scheduled.enqueue_due(rt), scheduled.enqueue_due(rt))
    assert sorted(new_jobs) == [0, 1]
    await asyncio.gather(
        jobs.drain(rt, kinds=[scheduled.JOB_KIND]), jobs.drain(rt, kinds=[scheduled.JOB_KIND])
    )
    # Then exactly one status is posted, as posted through the API
    posted = await _own_statuses(client, ada, token)
    assert len(posted) == 1
    check("Status", posted[0])
    assert "results are out" in posted[0]["content"] and posted[0]["visibility"] == "unlisted"
    assert [m["id"] for m in posted[0]["media_attachments"]] == [media_id]
    await _assert_none_left(client, token, made["id"])
    notes = await (await client.get("/api/v1/notifications", headers=bearer(bob_token))).get_json()
    assert [(n["type"], n["status"]["id"]) for n in notes] == [("mention", posted[0]["id"])]
    deliveries = await models.Job.filter(kind="deliver").values_list("dedupe_key", flat=True)
    assert any(str(key).endswith(zoe.inbox) for key in deliveries)
    # and sweeping again later posts nothing more
    await scheduled.enqueue_due(rt)
    await jobs.drain(rt, kinds=[scheduled.JOB_KIND])
    assert len(await _own_statuses(client, ada, token)) == 1
    web_metrics.forget_figures(rt)  # a scrape seconds ago: read the figures afresh
    after = await (
        await client.get("/metrics", scope_base={"client": ("127.0.0.1", 4000)})
    ).get_data(as_text=True)
    assert "fedihub_scheduled_statuses_overdue_seconds 0" in after
    assert "fedihub_scheduled_statuses_published_total" in after


async def test_two_publishers_at_once_post_one_status(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    made = await (await _schedule(client, token, _later(hours=1), status="only once")).get_json()
    await _make_due(made["id"])
    rt = _rt(client)
    results = await asyncio.gather(
        scheduled.publish(rt, int(made["id"])),
        scheduled.publish(rt, int(made["id"])),
        return_exceptions=True,
    )
    posted = [r for r in results if isinstance(r, models.Status)]
    assert len(posted) == 1, results
    assert all(
        r is None or isinstance(r, (models.Status, scheduled.NotPublishable)) for r in results
    ), results
    assert [s["id"] for s in await _own_statuses(client, ada, token)] == [str(posted[0].id)]


async def test_a_worker_dying_after_posting_leaves_one_status(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    made = await (
        await _schedule(client, token, _later(hours=1), status="survives a crash")
    ).get_json()
    await _make_due(made["id"])
    rt = _rt(client)
    real_post = scheduled._post

    async def post_then_die(rt: Runtime, row: models.ScheduledStatus) -> models.Status:
        await real_post(rt, row)
        raise RuntimeError("the worker died")

    monkeypatch.setattr(scheduled, "_post", post_then_die)
    with pytest.raises(RuntimeError):
        await scheduled.publish(rt, int(made["id"]))
    monkeypatch.setattr(scheduled, "_post", real_post)
    first = await _own_statuses(client, ada, token)
    assert len(first) == 1
    row = models.ScheduledStatus.filter(id=int(made["id"]))
    assert (await row.get()).publishing_at is None  # the failed attempt handed its claim back
    # a live worker's fresh claim makes another publisher wait; a dead worker's stale one does not
    await row.update(publishing_at=datetime.now(UTC))
    with pytest.raises(scheduled.NotPublishable):
        await scheduled.publish(rt, int(made["id"]))
    await row.update(publishing_at=datetime.now(UTC) - timedelta(minutes=10))
    again = await scheduled.publish(rt, int(made["id"]))
    assert again is not None and str(again.id) == first[0]["id"]
    assert [s["id"] for s in await _own_statuses(client, ada, token)] == [first[0]["id"]]
    assert not await row.exists()


async def test_a_moved_status_is_not_published_at_its_old_time(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    made = await (await _schedule(client, token, _later(minutes=6))).get_json()
    rt = _rt(client)
    assert await scheduled.enqueue_due(rt, now=datetime.now(UTC) + timedelta(minutes=5)) == 1
    moved = await client.put(
        f"/api/v1/scheduled_statuses/{made['id']}",
        json={"scheduled_at": _iso(_later(hours=5))},
        headers=bearer(token),
    )
    assert moved.status_code == 200
    old_job = await models.Job.get(kind=scheduled.JOB_KIND)
    await models.Job.filter(id=old_job.id).update(run_at=0)  # its old time has come
    await jobs.drain(rt, kinds=[scheduled.JOB_KIND])
    assert await _own_statuses(client, ada, token) == []
    assert (
        await client.get(f"/api/v1/scheduled_statuses/{made['id']}", headers=bearer(token))
    ).status_code == 200


async def test_a_status_that_can_no_longer_be_posted_is_dropped_with_the_reason(
    client: Any,
) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    parent = await (
        await client.post("/api/v1/statuses", json={"status": "first"}, headers=bearer(token))
    ).get_json()
    media_id = await _upload(client, token)
    made = await (
        await _schedule(
            client,
            token,
            _later(hours=1),
            status="a reply",
            in_reply_to_id=parent["id"],
            media_ids=[media_id],
        )
    ).get_json()
    assert made["params"]["in_reply_to_id"] == int(parent["id"])
    await client.delete(f"/api/v1/statuses/{parent['id']}", headers=bearer(token))
    await _make_due(made["id"])
    rt = _rt(client)
    await scheduled.enqueue_due(rt)
    await jobs.drain(rt, kinds=[scheduled.JOB_KIND])
    job = await models.Job.get(kind=scheduled.JOB_KIND)
    assert job.state == models.JobState.DEAD and "cannot be posted" in (job.last_error or "")
    assert not await models.ScheduledStatus.exists(id=int(made["id"]))
    assert await _own_statuses(client, ada, token) == []
    media = await models.MediaAttachment.get(id=int(media_id))
    assert media.status_id is None and media.scheduled_status_id is None


async def test_the_same_idempotency_key_schedules_once(client: Any) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    headers = {**bearer(token), "Idempotency-Key": "weekly-digest"}
    body = {"status": "digest", "scheduled_at": _iso(_later(hours=1))}
    one = await (await client.post("/api/v1/statuses", json=body, headers=headers)).get_json()
    two = await (await client.post("/api/v1/statuses", json=body, headers=headers)).get_json()
    assert one["id"] == two["id"]
    listed = await (
        await client.get("/api/v1/scheduled_statuses", headers=bearer(token))
    ).get_json()
    assert [s["id"] for s in listed] == [one["id"]]
