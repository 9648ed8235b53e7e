"""A job whose worker died after doing the work but before marking it done runs again when its
lease expires; running it again must have the effect of running it once.

The crash is reproduced exactly: the job is put back in the state a killed worker leaves it in
(`running`, lease expired), then claimed and run again.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fedihub import jobs, models
from fedihub.accounts import users
from fedihub.inbox.receive import INBOX_JOB
from fedihub.jobs.queue import now_ms
from fedihub.runtime import Runtime
from tests.durability.peers import AS_PUBLIC

REMOTE = "https://remote.example"


async def _crash_after_work(rt: Runtime) -> None:
    """Leave every done job as a worker SIGKILLed before its `done` write would, then rerun."""
    await models.Job.filter(state=models.JobState.DONE).update(
        state=models.JobState.RUNNING,
        locked_by="dead-worker:1",
        locked_until=now_ms() - 1,
        finished_at=None,
    )
    assert await jobs.drain(rt) == 1


async def _remote_eve() -> models.Actor:
    return await models.Actor.create(
        uri=f"{REMOTE}/users/eve",
        username="eve",
        domain="remote.example",
        inbox=f"{REMOTE}/users/eve/inbox",
        public_key_id=f"{REMOTE}/users/eve#main-key",
        public_key_pem="-",
    )


async def test_a_create_run_again_after_a_crash_stores_the_note_once_and_not_as_an_edit(
    rt: Runtime,
) -> None:
    alice = await users.create(rt, "alice", "alice@example.org", "correct horse battery staple")
    await alice.fetch_related("actor")
    eve = await _remote_eve()
    note = {
        "id": f"{REMOTE}/notes/1",
        "type": "Note",
        "attributedTo": eve.uri,
        "content": "<p>once</p>",
        "to": [AS_PUBLIC],
        "cc": [alice.actor.uri],
        "published": "2026-01-01T00:00:00Z",
    }
    create = {
        "id": f"{REMOTE}/notes/1/activity",
        "type": "Create",
        "actor": eve.uri,
        "to": [AS_PUBLIC],
        "cc": [alice.actor.uri],
        "object": note,
    }
    await jobs.enqueue(
        rt,
        INBOX_JOB,
        {"activity": create, "signer": eve.id, "owner": None},
        dedupe_key=f"{INBOX_JOB}:{create['id']}",
    )
    assert await jobs.drain(rt) == 1
    await _crash_after_work(rt)

    status = await models.Status.get(uri=note["id"])
    assert await models.Status.filter(uri=note["id"]).count() == 1
    assert await models.Job.filter(state=models.JobState.DONE).count() == 1
    assert status.edited_at is None
    assert await models.StatusEdit.filter(status=status).count() == 0


class _Died(Exception):
    """Stands for the process dying at this point: nothing after it runs."""


async def test_a_mention_whose_worker_died_before_the_notification_notifies_once_when_run_again(
    rt: Runtime,
) -> None:
    # seen in the two-host cluster test: the note committed, the worker killed before it stored
    # the notification, and the rerun found the note and stopped, so the mention was never notified
    alice = await users.create(rt, "alice", "alice@example.org", "correct horse battery staple")
    await alice.fetch_related("actor")
    eve = await _remote_eve()
    note = {
        "id": f"{REMOTE}/notes/2",
        "type": "Note",
        "attributedTo": eve.uri,
        "content": "<p>@alice hi</p>",
        "to": [AS_PUBLIC],
        "cc": [alice.actor.uri],
        "published": "2026-01-01T00:00:00Z",
        "tag": [{"type": "Mention", "href": alice.actor.uri, "name": "@alice"}],
    }
    create = {
        "id": f"{REMOTE}/notes/2/activity",
        "type": "Create",
        "actor": eve.uri,
        "to": [AS_PUBLIC],
        "cc": [alice.actor.uri],
        "object": note,
    }
    like = {"id": f"{REMOTE}/likes/1", "type": "Like", "actor": eve.uri}
    follow = {
        "id": f"{REMOTE}/follows/1",
        "type": "Follow",
        "actor": eve.uri,
        "object": alice.actor.uri,
    }
    mine = await models.Status.create(
        uri=f"{alice.actor.uri}/statuses/1",
        actor=alice.actor,
        local=True,
        published=datetime(2026, 1, 1, tzinfo=UTC),
    )
    like["object"] = mine.uri

    real_create = models.Notification.create
    dying = pytest.MonkeyPatch()

    async def die(*args: object, **kwargs: object) -> object:
        raise _Died

    for activity in (create, like, follow):
        await jobs.enqueue(
            rt,
            INBOX_JOB,
            {"activity": activity, "signer": eve.id, "owner": None},
            dedupe_key=f"{INBOX_JOB}:{activity['id']}",
        )
        dying.setattr(models.Notification, "create", die)
        await jobs.drain(rt, kinds=[INBOX_JOB])
        dying.undo()
        # the replay: due again at once, as after the lease of a killed worker
        await models.Job.filter(state__not=models.JobState.DONE).update(run_at=now_ms() - 1)
        await jobs.drain(rt, kinds=[INBOX_JOB])

    assert models.Notification.create == real_create
    kinds = sorted(n.kind for n in await models.Notification.filter(recipient_id=alice.actor.id))
    assert kinds == ["favourite", "follow", "mention"]
    assert await models.Status.filter(uri=note["id"]).count() == 1
    assert await models.Favourite.filter(status_id=mine.id).count() == 1
    assert await models.Follow.filter(follower_id=eve.id).count() == 1
