"""A job whose drawn id another process took in the same millisecond is stored under a new id,
never mistaken for a duplicate and dropped (seen in the two-host cluster test: a delivery and an
inbound activity lost)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fedihub import models
from fedihub.ids import new_id
from fedihub.jobs import queue
from fedihub.runtime import Runtime


def _taken_then_fresh(taken: int) -> Iterator[int]:
    yield taken
    while True:
        yield new_id()


async def test_enqueue_draws_again_when_its_id_is_taken(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = await queue.enqueue(rt, "deliver", {"n": 0}, dedupe_key="deliver:other")
    assert other is not None
    ids = _taken_then_fresh(other.id)
    monkeypatch.setattr(models.Job._meta.fields_map["id"], "default", lambda: next(ids))
    job = await queue.enqueue(rt, "deliver", {"n": 1}, dedupe_key="deliver:mine")
    assert job is not None and job.id != other.id
    assert await models.Job.filter(dedupe_key="deliver:mine").count() == 1
    # a real duplicate is still refused
    assert await queue.enqueue(rt, "deliver", {"n": 1}, dedupe_key="deliver:mine") is None


async def test_enqueue_many_stores_every_job_when_an_id_is_taken(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = await queue.enqueue(rt, "deliver", {"n": 0}, dedupe_key="deliver:other")
    assert other is not None
    ids = _taken_then_fresh(other.id)
    monkeypatch.setattr(queue, "new_id", lambda: next(ids))
    items = [({"inbox": f"https://h{n}.example/inbox"}, f"deliver:a:{n}") for n in range(3)]
    await queue.enqueue_many(rt, "deliver", items)
    stored = await models.Job.filter(dedupe_key__startswith="deliver:a:").count()
    assert stored == 3
