from __future__ import annotations

from typing import Any

from fedihub import models
from fedihub.jobs.queue import now_ms


async def test_metrics_show_requests_queue_depth_deliveries_and_failing_hosts(client: Any) -> None:
    await client.get("/healthz")
    await models.Job.create(kind="deliver", payload={}, run_at=now_ms() - 5000)
    await models.Job.create(kind="deliver", payload={}, run_at=now_ms(), state=models.JobState.DEAD)
    await models.Host.create(domain="down.example", failure_count=7, unavailable=True)
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.get_data(as_text=True)
    assert 'fedihub_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'fedihub_jobs{kind="deliver",state="pending"} 1' in text
    assert 'fedihub_deliveries{outcome="gave_up"} 1' in text
    assert 'fedihub_host_failures{host="down.example"} 7' in text
    assert 'fedihub_host_unavailable{host="down.example"} 1' in text
    age_line = next(
        line
        for line in text.splitlines()
        if line.startswith('fedihub_jobs_due_age_seconds{kind="deliver"}')
    )
    assert float(age_line.split()[-1]) >= 5
    assert 'fedihub_service_up{service="database"} 1' in text


async def test_every_response_carries_a_request_id_and_echoes_a_given_one(client: Any) -> None:
    fresh = await client.get("/healthz")
    assert len(fresh.headers["X-Request-Id"]) == 16
    given = await client.get("/healthz", headers={"X-Request-Id": "abc123"})
    assert given.headers["X-Request-Id"] == "abc123"


async def test_refused_inbox_posts_are_counted_by_reason(client: Any) -> None:
    await client.post("/inbox", data=b"{}", headers={"Content-Type": "application/activity+json"})
    text = await (await client.get("/metrics")).get_data(as_text=True)
    assert 'fedihub_inbox_total{outcome="rejected",reason="BadSignature"}' in text
