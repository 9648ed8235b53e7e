"""Peers that fail: a 500 is retried with growing back-off until the peer recovers, a 410 is not
retried, a peer that never answers is retried and counted as failing; operators see the hosts'
states in `fedihub doctor` and /metrics, and `fedihub jobs retry` makes waiting retries due."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.durability.cluster import Cluster
from tests.durability.peers import Peer
from tests.durability.steps import create_uris, follow_from
from tests.federation.nodes import eventually

pytestmark = [pytest.mark.federation, pytest.mark.postgres]
FLAKY = 6


async def _deliveries(node: Cluster, activity_uri: str) -> dict[str, dict[str, Any]]:
    """The delivery jobs of one activity, by inbox."""
    activity_id = await node.value("SELECT id FROM outbox_activities WHERE uri = $1", activity_uri)
    rows = await node.sql(
        "SELECT payload, state, attempts, run_at FROM jobs WHERE kind = 'deliver'"
    )
    found = {}
    for row in rows:
        payload = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
        if int(payload["activity"]) == activity_id:
            found[payload["inbox"]] = {key: row[key] for key in ("state", "attempts", "run_at")}
    return found


def _answers(peer: Peer) -> Counter[int]:
    """How often the peer answered each status to deliveries of a Create (0: no answer)."""
    return Counter(status for _, _, kind, status in peer.posts if kind == "Create")


async def _metrics(node: Cluster) -> str:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{node.base}/metrics")).text


def _gauge(text: str, name: str, **labels: str) -> float | None:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    match = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.M)
    return float(match.group(1)) if match else None


async def test_failing_gone_and_silent_peers_are_retried_or_given_up_and_reported(
    make_cluster: Callable[..., Awaitable[Cluster]], make_peer: Callable[..., Awaitable[Peer]]
) -> None:
    node = await make_cluster(http_timeout="2")
    node.add_worker()
    node.add_worker()
    alice = await node.account("alice")
    ok, flaky, gone, silent = [await make_peer() for _ in range(4)]
    # several inboxes on the failing host: two workers fail at it at once, each failure counts
    readers = [
        ok.actor("reader"),
        *(flaky.actor(f"reader{i}") for i in range(FLAKY)),
        gone.actor("reader"),
        silent.actor("reader"),
    ]
    await follow_from(node, alice, readers)
    flaky.answer, gone.answer, silent.silent = 500, 410, True
    await alice.post("hello, peers")
    (create,) = await create_uris(node)
    flaky_inboxes = [actor.inbox for actor in flaky.actors.values()]
    ok_inbox, gone_inbox, silent_inbox = (peer.actor("reader").inbox for peer in (ok, gone, silent))

    def attempts(jobs: dict[str, dict[str, Any]], inboxes: list[str], n: int) -> bool:
        return all(jobs[i]["attempts"] == n and jobs[i]["state"] == "pending" for i in inboxes)

    async def first_round() -> dict[str, dict[str, Any]] | None:
        jobs = await _deliveries(node, create)
        settled = (
            jobs[ok_inbox]["state"] == "done"
            and jobs[gone_inbox]["state"] == "dead"
            and attempts(jobs, [*flaky_inboxes, silent_inbox], 1)
        )
        return jobs if settled else None

    jobs = await eventually(first_round, timeout=30, what="one attempt at every peer")
    now = time.time() * 1000
    assert jobs[gone_inbox]["attempts"] == 1
    for inbox in [*flaky_inboxes, silent_inbox]:
        # Mastodon's back-off: at least 1^4 + 15 s after the first failure
        assert jobs[inbox]["run_at"] > now + 5_000
    assert _answers(flaky) == {500: FLAKY}

    doctor = await asyncio.to_thread(node.cli, "doctor")
    assert f"host {flaky.domain}: failing, deliveries retried ({FLAKY} failures in a row)" in doctor
    assert f"host {silent.domain}: failing, deliveries retried (1 failures in a row)" in doctor
    assert gone.domain not in doctor  # it answered: the server is up, only that inbox is gone
    metrics = await _metrics(node)
    assert _gauge(metrics, "fedihub_host_failures", host=flaky.domain) == FLAKY
    assert _gauge(metrics, "fedihub_host_failures", host=silent.domain) == 1
    assert _gauge(metrics, "fedihub_deliveries", outcome="gave_up") == 1
    assert _gauge(metrics, "fedihub_deliveries", outcome="retrying") == FLAKY + 1
    assert (
        _gauge(metrics, "fedihub_deliveries", outcome="delivered") == len(readers) + 1
    )  # Accepts, ok

    # the operator says "retry now": the retries run at once, fail again, and wait longer
    retried = await asyncio.to_thread(node.cli, "jobs", "retry")
    assert f"{FLAKY + 1} job(s) scheduled" in retried

    async def second_round() -> dict[str, dict[str, Any]] | None:
        jobs = await _deliveries(node, create)
        return jobs if attempts(jobs, [*flaky_inboxes, silent_inbox], 2) else None

    jobs = await eventually(second_round, timeout=30, what="the second attempts")
    now = time.time() * 1000
    for inbox in [*flaky_inboxes, silent_inbox]:
        assert jobs[inbox]["run_at"] > now + 20_000  # 2^4 + 15 s at least
    assert (jobs[gone_inbox]["state"], jobs[gone_inbox]["attempts"]) == ("dead", 1)

    flaky.answer = 202  # the peer recovers
    assert f"{FLAKY + 1} job(s) scheduled" in await asyncio.to_thread(node.cli, "jobs", "retry")

    async def third_round() -> bool:
        jobs = await _deliveries(node, create)
        return all(jobs[i]["state"] == "done" for i in flaky_inboxes) and attempts(
            jobs, [silent_inbox], 3
        )

    await eventually(third_round, timeout=30, what="the third attempts")
    assert _answers(flaky) == {500: 2 * FLAKY, 202: FLAKY}
    assert _answers(gone) == {410: 1}
    assert _answers(silent) == {0: 3}  # 0: never answered
    doctor = await asyncio.to_thread(node.cli, "doctor")
    assert flaky.domain not in doctor
    assert f"host {silent.domain}: failing, deliveries retried (3 failures in a row)" in doctor
    metrics = await _metrics(node)
    assert _gauge(metrics, "fedihub_host_failures", host=flaky.domain) is None
    assert _gauge(metrics, "fedihub_host_failures", host=silent.domain) == 3
    assert _gauge(metrics, "fedihub_deliveries", outcome="delivered") == len(readers) + 1 + FLAKY
    assert _gauge(metrics, "fedihub_deliveries", outcome="retrying") == 1
