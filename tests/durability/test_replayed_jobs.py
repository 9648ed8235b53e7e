"""A job whose worker died after doing the work but before marking it done runs again when its
lease expires; running it again must have the effect of running it once.

The crash is reproduced exactly: the job is put back in the state a killed worker leaves it in
(`running`, lease expired), then claimed and run again.
"""

from __future__ import annotations

from fedihub import jobs, models
from fedihub.accounts import users
from fedihub.inbox import dispatch  # noqa: F401  registers the "inbox" job handler
from fedihub.inbox.receive import INBOX_JOB
from fedihub.jobs.queue import now_ms
from fedihub.runtime import Runtime
from tests.durability.peers import AS_PUBLIC

REMOTE = "https://remote.example"


async def _crash_after_work(rt: Runtime) -> None:
    """Leave every done job as a worker SIGKILLed before its `done` write would, then rerun."""
    await models.Job.filter(state=models.JobState.DONE).update(
        state=models.JobState.RUNNING, locked_by="dead-worker:1", locked_until=now_ms() - 1, finished_at=None
    )
    assert await jobs.drain(rt) == 1


async def test_a_create_run_again_after_a_crash_stores_the_note_once_and_not_as_an_edit(rt: Runtime) -> None:
    alice = await users.create(rt, "alice", "alice@example.org", "correct horse battery staple")
    await alice.fetch_related("actor")
    eve = await models.Actor.create(
        uri=f"{REMOTE}/users/eve", username="eve", domain="remote.example", inbox=f"{REMOTE}/users/eve/inbox",
        public_key_id=f"{REMOTE}/users/eve#main-key", public_key_pem="-",
    )
    note = {"id": f"{REMOTE}/notes/1", "type": "Note", "attributedTo": eve.uri, "content": "<p>once</p>",
            "to": [AS_PUBLIC], "cc": [alice.actor.uri], "published": "2026-01-01T00:00:00Z"}
    create = {"id": f"{REMOTE}/notes/1/activity", "type": "Create", "actor": eve.uri, "to": [AS_PUBLIC],
              "cc": [alice.actor.uri], "object": note}
    await jobs.enqueue(INBOX_JOB, {"activity": create, "signer": eve.id, "owner": None},
                       dedupe_key=f"{INBOX_JOB}:{create['id']}")
    assert await jobs.drain(rt) == 1
    await _crash_after_work(rt)

    status = await models.Status.get(uri=note["id"])
    assert await models.Status.filter(uri=note["id"]).count() == 1
    assert await models.Job.filter(state=models.JobState.DONE).count() == 1
    assert status.edited_at is None
    assert await models.StatusEdit.filter(status=status).count() == 0
