"""Delivery outcomes against a mocked peer: success, gone, failing, and the RFC 9421 fallback."""

from __future__ import annotations

import json
from collections.abc import Callable
import httpx
import pytest

from fedihub import jobs, models
from fedihub.accounts import users
from fedihub.outbox import delivery, publish

assert delivery.deliver  # the import registers the "deliver" job handler
from fedihub.runtime import Runtime

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

    rt.resources["http"] = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return seen


async def _deliver_one(rt: Runtime, sender: models.Actor) -> models.Job:
    recipient = await models.Actor.create(uri="https://peer.example/users/x", username="x", domain="peer.example",
                                          inbox="https://peer.example/users/x/inbox", shared_inbox=INBOX)
    activity = {"id": f"{sender.uri}#test/1", "type": "Create", "actor": sender.uri, "object": {"type": "Note"}}
    assert await publish.publish(rt, sender, activity, [recipient]) == 1
    await jobs.drain(rt)
    return await models.Job.get(kind="deliver")


async def test_success_is_recorded_and_the_body_is_signed_as_mastodon_signs(rt: Runtime, sender: models.Actor) -> None:
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


async def test_a_failing_peer_is_retried_later_and_counted(rt: Runtime, sender: models.Actor) -> None:
    await models.Host.create(domain="peer.example", accepts_rfc9421=False)
    _peer(rt, lambda r: 503)
    job = await _deliver_one(rt, sender)
    assert job.state == models.JobState.PENDING and job.attempts == 1
    assert job.run_at > jobs.queue.now_ms() + 10_000  # back-off: at least 16 s
    host = await models.Host.get(domain="peer.example")
    assert host.failure_count == 1 and not host.unavailable


async def test_a_peer_that_refuses_rfc9421_gets_draft_cavage_from_then_on(rt: Runtime, sender: models.Actor) -> None:
    await models.Host.create(domain="peer.example", accepts_rfc9421=True)
    seen = _peer(rt, lambda r: 401 if "signature-input" in r.headers else 202)
    job = await _deliver_one(rt, sender)
    assert job.state == models.JobState.DONE
    assert "signature-input" in seen[0].headers and "signature-input" not in seen[1].headers
    assert (await models.Host.get(domain="peer.example")).accepts_rfc9421 is False


async def test_backoff_spans_about_two_days_over_sixteen_attempts() -> None:
    total_s = sum(jobs.queue.backoff_ms(n) for n in range(1, 16)) / 1000
    assert 1.5 * 86400 < total_s < 3.5 * 86400
