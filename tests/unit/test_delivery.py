"""Delivery outcomes against a mocked peer: success, gone, failing, and the RFC 9421 fallback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fedihub import jobs, models
from fedihub.accounts import users
from fedihub.outbox import delivery, hosts, publish
from fedihub.runtime import Runtime

assert delivery.deliver  # the import registers the "deliver" job handler

INBOX = "https://peer.example/inbox"


@pytest.fixture
async def sender(rt: Runtime) -> models.Actor:
    user = await users.create(rt, "ada", "ada@example.org", "correct horse battery staple")
    return await models.Actor.get(id=user.actor_id)


def _peer(rt: Runtime, answer: Callable[[httpx.Request], int]) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(answer(request))

    rt.http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return seen


async def _deliver_one(rt: Runtime, sender: models.Actor) -> models.Job:
    recipient = await models.Actor.create(
        uri="https://peer.example/users/x",
        username="x",
        domain="peer.example",
        inbox="https://peer.example/users/x/inbox",
        shared_inbox=INBOX,
    )
    activity = {
        "id": f"{sender.uri}#test/1",
        "type": "Create",
        "actor": sender.uri,
        "object": {"type": "Note"},
    }
    assert await publish.publish(rt, sender, activity, [recipient]) == 1
    await jobs.drain(rt)
    return await models.Job.get(kind="deliver")


async def test_success_is_recorded_and_the_body_is_signed_as_mastodon_signs(
    rt: Runtime, sender: models.Actor
) -> None:
    await models.Host.create(domain="peer.example", accepts_rfc9421=False)
    seen = _peer(rt, lambda r: 202)
    job = await _deliver_one(rt, sender)
    assert job.state == models.JobState.DONE
    request = seen[0]
    assert request.url == INBOX
    assert json.loads(request.content)["id"] == f"{sender.uri}#test/1"
    assert 'headers="(request-target) host date digest' in request.headers["Signature"]
    assert request.headers["Digest"].startswith("SHA-256=")
    assert (await models.Host.get(domain="peer.example")).last_success_at is not None


async def test_a_gone_inbox_is_not_retried(rt: Runtime, sender: models.Actor) -> None:
    await models.Host.create(domain="peer.example", accepts_rfc9421=False)
    _peer(rt, lambda r: 410)
    job = await _deliver_one(rt, sender)
    assert job.state == models.JobState.DEAD and job.attempts == 1


async def test_a_failing_peer_is_retried_later_and_counted(
    rt: Runtime, sender: models.Actor
) -> None:
    await models.Host.create(domain="peer.example", accepts_rfc9421=False)
    _peer(rt, lambda r: 503)
    job = await _deliver_one(rt, sender)
    assert job.state == models.JobState.PENDING and job.attempts == 1
    assert job.run_at > jobs.queue.now_ms() + 10_000  # back-off: at least 16 s
    host = await models.Host.get(domain="peer.example")
    assert host.failure_count == 1 and not host.unavailable


async def test_a_peer_that_refuses_rfc9421_gets_draft_cavage_from_then_on(
    rt: Runtime, sender: models.Actor
) -> None:
    await models.Host.create(domain="peer.example", accepts_rfc9421=True)
    seen = _peer(rt, lambda r: 401 if "signature-input" in r.headers else 202)
    job = await _deliver_one(rt, sender)
    assert job.state == models.JobState.DONE
    assert "signature-input" in seen[0].headers and "signature-input" not in seen[1].headers
    assert (await models.Host.get(domain="peer.example")).accepts_rfc9421 is False


async def test_first_contact_makes_the_host_row_with_its_success(
    rt: Runtime, sender: models.Actor
) -> None:
    seen = _peer(rt, lambda r: 202)
    job = await _deliver_one(rt, sender)
    assert job.state == models.JobState.DONE
    assert "signature-input" not in seen[0].headers  # an unknown peer gets draft-cavage
    host = await models.Host.get(domain="peer.example")
    assert host.last_success_at is not None and host.failure_count == 0
    assert host.accepts_rfc9421 is None


@pytest.mark.parametrize(
    ("ago", "failures", "rewritten"),
    [
        (timedelta(seconds=30), 0, False),
        (timedelta(minutes=2), 0, True),
        (timedelta(seconds=30), 2, True),
    ],
)
async def test_a_success_rewrites_the_host_row_only_when_it_had_failed_or_a_minute_passed(
    rt: Runtime, sender: models.Actor, ago: timedelta, failures: int, rewritten: bool
) -> None:
    before = datetime.now(UTC) - ago
    first_failure = before if failures else None
    await models.Host.create(
        domain="peer.example",
        accepts_rfc9421=False,
        last_success_at=before,
        failure_count=failures,
        first_failure_at=first_failure,
    )
    _peer(rt, lambda r: 202)
    assert (await _deliver_one(rt, sender)).state == models.JobState.DONE
    host = await models.Host.get(domain="peer.example")
    assert (host.last_success_at != before) is rewritten
    assert host.failure_count == 0 and host.first_failure_at is None


async def test_failures_at_an_unknown_host_are_each_counted(rt: Runtime) -> None:
    await asyncio.gather(*(hosts.record_failure("new.example", None) for _ in range(6)))
    host = await models.Host.get(domain="new.example")
    assert host.failure_count == 6 and host.first_failure_at is not None and not host.unavailable


async def test_a_host_failing_for_a_week_becomes_unavailable_and_is_skipped(
    rt: Runtime, sender: models.Actor
) -> None:
    first = datetime.now(UTC) - timedelta(days=8)
    await models.Host.create(
        domain="peer.example", accepts_rfc9421=False, failure_count=5, first_failure_at=first
    )
    seen = _peer(rt, lambda r: 503)
    job = await _deliver_one(rt, sender)
    assert job.state == models.JobState.PENDING
    host = await models.Host.get(domain="peer.example")
    assert host.unavailable and host.failure_count == 6 and host.first_failure_at == first
    await models.Job.filter(id=job.id).update(run_at=0)
    await jobs.drain(rt)
    job = await models.Job.get(id=job.id)
    assert job.state == models.JobState.DEAD and "marked unavailable" in (job.last_error or "")
    assert len(seen) == 1  # no request to a host marked unavailable


async def test_backoff_spans_about_two_days_over_sixteen_attempts() -> None:
    total_s = sum(jobs.queue.backoff_ms(n) for n in range(1, 16)) / 1000
    assert 1.5 * 86400 < total_s < 3.5 * 86400
