"""Polls across the wire with a Mastodon-shaped peer (its documents as Mastodon sends them): a
peer's Question stored and shown as a poll, a vote from here sent to the poll's author alone, the
peer's Update(Question) taking new counts without making an edit, the end of a peer's poll
notifying the voters here; and a peer's vote on a local poll counted (never stored as a status)
and the new counts sent to followers and voters as Update(Question)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apikit import bearer, json_of, make_token, make_user, remote_actor
from test_entity_shapes import check
from test_pins import Peer, serve_documents

from fedihub import jobs, models
from fedihub.activitypub.documents import format_datetime
from fedihub.inbox import dispatch
from fedihub.jobs import queue
from fedihub.social import polls
from fedihub.web.common import RUNTIME_KEY

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "peers" / "mastodon"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def peer(app: Any, monkeypatch: pytest.MonkeyPatch) -> Peer:
    return serve_documents(app, monkeypatch)


async def _deliver(rt: Any, signer: models.Actor, activity: dict[str, Any]) -> None:
    await dispatch.process(rt, {"activity": activity, "signer": signer.id})


@dataclass
class Received:
    """ada, her token, the peer's author she follows, and its Question as delivered here."""

    rt: Any
    ada: models.User
    token: str
    rin: models.Actor
    create: dict[str, Any]
    status: models.Status


async def _received(client: Any, ends: datetime | None) -> Received:
    """ada follows rinpatch, whose Create(Question) (the Mastodon fixture; ending at `ends`, or
    as the fixture says) is delivered."""
    rt = client.app.extensions[RUNTIME_KEY]
    ada = await make_user(client.app, "ada")
    rin = await remote_actor("rinpatch", "mastodon.sdf.org")
    await models.Follow.create(follower=ada.actor, target=rin, state=models.FollowState.ACCEPTED)
    create = json.loads((FIXTURE / "create_question.json").read_text(encoding="utf-8"))
    if ends is not None:
        create["object"]["endTime"] = format_datetime(ends)
    await _deliver(rt, rin, create)
    status = await models.Status.get(uri=create["object"]["id"])
    return Received(rt, ada, await make_token(ada), rin, create, status)


async def test_a_peers_poll_is_stored_voted_on_updated_and_ended(client: Any) -> None:
    got = await _received(client, datetime.now(UTC) + timedelta(days=1))
    rt, ada, token, rin, create, status = (
        got.rt,
        got.ada,
        got.token,
        got.rin,
        got.create,
        got.status,
    )
    shown = await json_of(await client.get(f"/api/v1/statuses/{status.id}", headers=bearer(token)))
    check("Status", shown)
    poll = shown["poll"]
    check("Poll", poll)
    assert [o["votes_count"] for o in poll["options"]] == [0, 1, 0, 1]
    assert poll["options"][1]["title"] == "Everyone knows that!" and not poll["multiple"]
    assert poll["voted"] is False and poll["own_votes"] == [] and not poll["expired"]

    voted = await json_of(
        await client.post(
            f"/api/v1/polls/{poll['id']}/votes", json={"choices": [2]}, headers=bearer(token)
        )
    )
    assert voted["own_votes"] == [2] and voted["votes_count"] == 3
    sent = await models.OutboxActivity.get(actor_id=ada.actor_id)
    activity = json.loads(sent.body)
    assert activity["type"] == "Create" and activity["to"] == [rin.uri]
    note = activity["object"]
    assert note["type"] == "Note" and note["name"] == "25 char limit is dumb"
    assert note["inReplyTo"] == status.uri and note["to"] == [rin.uri]
    assert "cc" not in note and "content" not in note
    inboxes = [j.payload["inbox"] for j in await models.Job.filter(kind="deliver")]
    assert inboxes == [rin.inbox]  # the author alone
    assert await models.Status.filter(actor_id=ada.actor_id).count() == 0

    # the peer's Update(Question) after our vote: its counts, no edit
    update = copy.deepcopy(create)
    update["id"] = f"{status.uri}#updates/1"
    update["type"] = "Update"
    for option, count in zip(update["object"]["oneOf"], (0, 1, 1, 1), strict=True):
        option["replies"]["totalItems"] = count
    update["object"]["votersCount"] = 3
    await _deliver(rt, rin, update)
    after = await json_of(await client.get(f"/api/v1/polls/{poll['id']}", headers=bearer(token)))
    assert after["votes_count"] == 3 and after["voters_count"] == 3 and after["own_votes"] == [2]
    assert await models.StatusEdit.filter(status_id=status.id).count() == 0
    refused = await client.post(
        f"/api/v1/polls/{poll['id']}/votes", json={"choices": [0]}, headers=bearer(token)
    )
    assert refused.status_code == 422

    # it ends: the voter here is told; its author is the peer's to tell
    await models.Poll.filter(id=int(poll["id"])).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    await polls.close_ended(rt)
    notes = await json_of(await client.get("/api/v1/notifications", headers=bearer(token)))
    assert [(n["type"], n["status"]["id"]) for n in notes] == [("poll", str(status.id))]
    assert notes[0]["account"]["acct"] == "rinpatch@mastodon.sdf.org"


async def test_an_ended_question_and_a_closed_one(client: Any) -> None:
    got = await _received(client, None)  # endTime in 2019
    ada, status = got.ada, got.status
    shown = await json_of(await client.get(f"/api/v1/statuses/{status.id}"))
    assert shown["poll"]["expired"] and shown["poll"]["expires_at"].startswith("2019-05-11")
    vote = await client.post(
        f"/api/v1/polls/{shown['poll']['id']}/votes",
        json={"choices": [0]},
        headers=bearer(await make_token(ada)),
    )
    assert vote.status_code == 422
    assert (await vote.get_json())["error"] == f"Validation failed: {polls.EXPIRED}"


async def test_a_peers_vote_on_a_local_poll_is_counted_and_the_counts_federated(
    client: Any,
) -> None:
    rt = client.app.extensions[RUNTIME_KEY]
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    zoe = await remote_actor("zoe", "far.example", shared_inbox="https://far.example/inbox")
    await models.Follow.create(follower=zoe, target=ada.actor, state=models.FollowState.ACCEPTED)
    made = await json_of(
        await client.post(
            "/api/v1/statuses",
            json={"status": "Which?", "poll": {"options": ["a", "b"], "expires_in": 600}},
            headers=bearer(token),
        )
    )
    question = await models.Status.get(id=int(made["id"]))

    def vote(n: int, name: str) -> dict[str, Any]:
        ident = f"{zoe.uri}#votes/{n}"
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{ident}/activity",
            "type": "Create",
            "actor": zoe.uri,
            "to": [ada.actor.uri],
            "object": {
                "id": ident,
                "type": "Note",
                "name": name,
                "attributedTo": zoe.uri,
                "inReplyTo": question.uri,
                "to": [ada.actor.uri],
            },
        }

    await _deliver(rt, zoe, vote(1, "b"))
    await _deliver(rt, zoe, vote(1, "b"))  # the same vote again
    await _deliver(rt, zoe, vote(2, "a"))  # a second choice on a single-choice poll
    body = await json_of(await client.get(f"/api/v1/polls/{made['poll']['id']}"))
    assert [o["votes_count"] for o in body["options"]] == [0, 1] and body["voters_count"] == 1
    assert await models.Status.filter(actor_id=zoe.id).count() == 0  # never a status
    assert await models.Notification.filter(recipient_id=ada.actor_id).count() == 0

    # a reply whose name is no option is a reply
    reply = vote(3, "c")
    reply["object"]["content"] = "<p>neither</p>"
    reply["object"]["to"] = [PUBLIC]
    await _deliver(rt, zoe, reply)
    assert await models.Status.filter(actor_id=zoe.id).count() == 1

    (job,) = await models.Job.filter(kind=polls.UPDATE_JOB)
    await polls.send_update(rt, job.payload)
    sent = [
        json.loads(a.body)
        for a in await models.OutboxActivity.filter(actor_id=ada.actor_id).order_by("id")
    ]
    update = next(a for a in sent if a["type"] == "Update")
    counts = [o["replies"]["totalItems"] for o in update["object"]["oneOf"]]
    assert counts == [0, 1] and update["object"]["votersCount"] == 1
    assert update["object"]["type"] == "Question" and "closed" not in update["object"]
    stored = await models.OutboxActivity.get(uri=update["id"])
    inboxes = {j.payload["inbox"] for j in await models.Job.filter(kind="deliver")}
    assert "https://far.example/inbox" in inboxes
    assert any(j.payload["activity"] == stored.id for j in await models.Job.filter(kind="deliver"))

    # its end goes out as an Update with `closed`
    await models.Poll.filter(status_id=question.id).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    await polls.close_ended(rt)
    closed = json.loads(
        (await models.OutboxActivity.get(uri=f"{question.uri}#updates/closed")).body
    )
    assert closed["object"]["closed"] == closed["object"]["endTime"]
    notes = await json_of(await client.get("/api/v1/notifications", headers=bearer(token)))
    assert [n["type"] for n in notes] == ["poll"]


async def test_a_peers_poll_looked_at_is_read_again_from_its_origin(
    client: Any, peer: Peer
) -> None:
    got = await _received(client, datetime.now(UTC) + timedelta(days=1))
    rt, token, create, status = got.rt, got.token, got.create, got.status
    poll = await models.Poll.get(status_id=status.id)
    fresh = copy.deepcopy(create["object"])
    for option, count in zip(fresh["oneOf"], (5, 1, 0, 1), strict=True):
        option["replies"]["totalItems"] = count
    peer.documents[status.uri] = fresh

    await client.get(f"/api/v1/polls/{poll.id}")  # anonymous: nothing fetched
    assert not await models.Job.filter(kind=polls.REFRESH_JOB).exists()
    for _ in range(2):  # looked at twice within the minute: read once
        await json_of(await client.get(f"/api/v1/polls/{poll.id}", headers=bearer(token)))
    (job,) = await models.Job.filter(kind=polls.REFRESH_JOB)
    await polls.refresh(rt, job.payload)
    body = await json_of(await client.get(f"/api/v1/polls/{poll.id}", headers=bearer(token)))
    assert [o["votes_count"] for o in body["options"]] == [5, 1, 0, 1]
    assert await models.StatusEdit.filter(status_id=status.id).count() == 0

    # a document claiming another author is not taken
    peer.documents[status.uri] = {**fresh, "attributedTo": "https://mastodon.sdf.org/users/eve"}
    with pytest.raises(jobs.PermanentError):
        await polls.refresh(rt, job.payload)

    # when it ends, it is read again a minute later for its final counts
    await models.Poll.filter(id=poll.id).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    await polls.close_ended(rt)
    later = await models.Job.filter(kind=polls.REFRESH_JOB).order_by("-id").first()
    assert later is not None and later.id != job.id and later.run_at > queue.now_ms()


async def test_a_peers_edit_that_drops_the_poll_drops_it_here(client: Any) -> None:
    got = await _received(client, datetime.now(UTC) + timedelta(days=1))
    update = copy.deepcopy(got.create)
    update["id"] = f"{got.status.uri}#updates/2"
    update["type"] = "Update"
    note = update["object"]
    note["type"] = "Note"
    note["content"] = "<p>No poll after all</p>"
    note["updated"] = format_datetime(datetime.now(UTC))
    del note["oneOf"], note["endTime"]
    await _deliver(got.rt, got.rin, update)
    shown = await json_of(await client.get(f"/api/v1/statuses/{got.status.id}"))
    assert shown["poll"] is None and "No poll" in shown["content"]
    assert not await models.Poll.filter(status_id=got.status.id).exists()
