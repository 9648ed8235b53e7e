from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from tortoise import connections

from fedihub import config, models
from fedihub.app import create_app
from fedihub.jobs.queue import now_ms
from fedihub.security import keys


async def _scrape(client: Any, address: str) -> Any:
    """GET /metrics as a client at `address` (the scraper's address decides whether it may)."""
    return await client.get("/metrics", scope_base={"client": (address, 4000)})


async def test_metrics_show_requests_queue_depth_deliveries_and_failing_hosts(client: Any) -> None:
    await client.get("/healthz")
    await models.Job.create(kind="deliver", payload={}, run_at=now_ms() - 5000)
    await models.Job.create(kind="deliver", payload={}, run_at=now_ms(), state=models.JobState.DEAD)
    await models.Host.create(domain="down.example", failure_count=7, unavailable=True)
    response = await _scrape(client, "127.0.0.1")
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
    unsigned = {
        "id": "https://peer.example/activities/1",
        "type": "Create",
        "actor": "https://peer.example/users/zoe",
    }
    await client.post(
        "/inbox", json=unsigned, headers={"Content-Type": "application/activity+json"}
    )
    text = await (await _scrape(client, "127.0.0.1")).get_data(as_text=True)
    assert 'fedihub_inbox_total{outcome="rejected",reason="BadSignature"}' in text


async def test_metrics_answer_only_the_addresses_allowed_and_404_to_others(client: Any) -> None:
    for address in ("127.0.0.1", "::1"):
        assert (await _scrape(client, address)).status_code == 200, address
    for address in ("198.51.100.7", "10.0.0.1", "2001:db8::1"):
        refused = await _scrape(client, address)
        assert refused.status_code == 404, address
        assert "fedihub_" not in await refused.get_data(as_text=True)
    # a connection with no address (a Unix socket) is nobody's loopback either
    assert (await client.get("/metrics")).status_code == 404


async def test_metrics_allow_setting_names_the_scrapers_ranges(
    settings: config.Settings, node_secrets: keys.NodeSecrets
) -> None:
    narrowed = dataclasses.replace(settings, metrics_allow="10.8.0.0/16, 2001:db8::/32")
    app = create_app(narrowed, secrets=node_secrets)
    async with app.test_app():
        client = app.test_client()
        assert (await _scrape(client, "10.8.3.4")).status_code == 200
        assert (await _scrape(client, "2001:db8::5")).status_code == 200
        assert (await _scrape(client, "127.0.0.1")).status_code == 404
    with pytest.raises(config.ConfigError, match="metrics_allow"):
        config.load(environ={"FEDIHUB_METRICS_ALLOW": "10.0.0.0/8, prometheus"})


async def test_scrapes_in_a_burst_read_the_database_once(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = []
    conn = connections.get("default")
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(conn, name)

        async def counted(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            statements.append(args[0] if args else "")
            return await _original(*args, **kwargs)

        monkeypatch.setattr(conn, name, counted)
    first = await (await _scrape(client, "::1")).get_data(as_text=True)
    read = len(statements)
    assert read > 0 and 'fedihub_service_up{service="database"} 1' in first
    for _ in range(20):
        again = await _scrape(client, "127.0.0.1")
        assert again.status_code == 200
        assert 'fedihub_deliveries{outcome="queued"}' in await again.get_data(as_text=True)
    assert len(statements) == read  # the later scrapes were served from this process's figures
