"""The inbox refuses forged, replayed, digest-mismatched, unsigned and wrong-actor requests, and
stores nothing for them; a good request is accepted once."""

from __future__ import annotations

import json
import time
from email.utils import formatdate
from typing import Any

import pytest

from fedihub import models
from fedihub.activitypub import signatures
from fedihub.runtime import Runtime
from fedihub.security import keys

REMOTE = "https://remote.example"


@pytest.fixture(scope="module")
def remote_key() -> Any:
    return keys.generate_private_key()


@pytest.fixture
async def remote_actor(app: Any, remote_key: Any) -> models.Actor:
    return await models.Actor.create(
        uri=f"{REMOTE}/users/eve",
        username="eve",
        domain="remote.example",
        inbox=f"{REMOTE}/users/eve/inbox",
        shared_inbox=f"{REMOTE}/inbox",
        public_key_id=f"{REMOTE}/users/eve#main-key",
        public_key_pem=keys.public_pem(remote_key),
        followers_url=f"{REMOTE}/users/eve/followers",
    )


def _note_activity(
    actor: str = f"{REMOTE}/users/eve", ident: str = f"{REMOTE}/activities/1"
) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": ident,
        "type": "Create",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": f"{ident}/note",
            "type": "Note",
            "attributedTo": actor,
            "content": "<p>hello</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        },
    }


def _signed(
    body: bytes,
    key: Any,
    *,
    key_id: str = f"{REMOTE}/users/eve#main-key",
    path: str = "/inbox",
    scheme: str = "cavage",
    date: str | None = None,
) -> dict[str, str]:
    headers = {"Content-Type": "application/activity+json", "Host": "fedihub.test"}
    if date:
        headers["Date"] = date
    sign = signatures.sign_cavage if scheme == "cavage" else signatures.sign_rfc9421
    headers.update(sign("POST", f"https://fedihub.test{path}", headers, body, key_id, key))
    return headers


async def _jobs() -> int:
    return await models.Job.filter(kind="inbox").count()


async def test_signed_activity_is_accepted_once_and_a_replay_is_not_stored_twice(
    client: Any, remote_actor: models.Actor, remote_key: Any
) -> None:
    body = json.dumps(_note_activity()).encode()
    first = await client.post("/inbox", data=body, headers=_signed(body, remote_key))
    assert first.status_code == 202
    replay = await client.post("/inbox", data=body, headers=_signed(body, remote_key))
    assert replay.status_code == 202
    assert (await replay.get_json())["status"] == "duplicate"
    assert await _jobs() == 1


async def test_rfc9421_signed_activity_is_accepted(
    client: Any, remote_actor: models.Actor, remote_key: Any
) -> None:
    body = json.dumps(_note_activity()).encode()
    response = await client.post(
        "/inbox", data=body, headers=_signed(body, remote_key, scheme="rfc9421")
    )
    assert response.status_code == 202, await response.get_data(as_text=True)
    assert await _jobs() == 1


@pytest.mark.parametrize(
    "case",
    [
        "unsigned",
        "digest_mismatch",
        "tampered_body",
        "stale_date",
        "wrong_key",
        "wrong_path",
        # found by tests/fuzz: base64 of a non-ASCII value raised ValueError, a 500
        "non_ascii_digest",
        "non_ascii_signature",
    ],
)
async def test_bad_requests_get_401_with_a_reason_and_store_nothing(
    client: Any, remote_actor: models.Actor, remote_key: Any, case: str
) -> None:
    body = json.dumps(_note_activity()).encode()
    headers = _signed(body, remote_key)
    if case == "unsigned":
        headers = {"Content-Type": "application/activity+json", "Date": formatdate(usegmt=True)}
    elif case == "digest_mismatch":
        headers["Digest"] = signatures.digest_header(b"something else")
    elif case == "tampered_body":
        body = body.replace(b"hello", b"HELLO")
    elif case == "stale_date":
        headers = _signed(body, remote_key, date=formatdate(time.time() - 3 * 3600, usegmt=True))
    elif case == "wrong_key":
        headers = _signed(body, keys.generate_private_key())
    elif case == "wrong_path":
        headers = _signed(body, remote_key, path="/users/someone/inbox")
    elif case == "non_ascii_digest":
        headers["Digest"] = "SHA-256=\xe9t\xe9"
    elif case == "non_ascii_signature":
        headers["Signature"] = headers["Signature"].replace('signature="', 'signature="\xe9')
    response = await client.post("/inbox", data=body, headers=headers)
    assert response.status_code == 401
    assert (await response.get_json())["error"]
    assert await _jobs() == 0


async def test_activity_signed_by_another_actor_is_refused(
    client: Any, remote_actor: models.Actor, remote_key: Any
) -> None:
    body = json.dumps(_note_activity(actor=f"{REMOTE}/users/mallory")).encode()
    response = await client.post("/inbox", data=body, headers=_signed(body, remote_key))
    assert response.status_code == 401
    assert "actor" in (await response.get_json())["error"]
    assert await _jobs() == 0


async def test_malformed_and_oversized_bodies_are_refused(
    client: Any, remote_actor: models.Actor, remote_key: Any
) -> None:
    body = b"{not json"
    response = await client.post("/inbox", data=body, headers=_signed(body, remote_key))
    assert response.status_code == 400
    deep = b'{"a":' + b"[" * 100 + b"]" * 100 + b"}"
    response = await client.post("/inbox", data=deep, headers=_signed(deep, remote_key))
    assert response.status_code == 400
    # PostgreSQL's jsonb cannot hold U+0000: this was a 500 there (found by tests/fuzz)
    nul = json.dumps({**_note_activity(), "@context": "https://peer.example/\x00"}).encode()
    response = await client.post("/inbox", data=nul, headers=_signed(nul, remote_key))
    assert response.status_code == 400
    # nor NaN and Infinity, which Python's json reads and jsonb refuses
    infinite = json.dumps({**_note_activity(), "@context": float("inf")}).encode()
    response = await client.post("/inbox", data=infinite, headers=_signed(infinite, remote_key))
    assert response.status_code == 400
    huge = b'{"a":"' + b"x" * 1_100_000 + b'"}'
    response = await client.post("/inbox", data=huge, headers=_signed(huge, remote_key))
    assert response.status_code == 413
    assert await _jobs() == 0


async def test_create_from_a_followed_actor_is_stored_sanitised(
    app: Any, client: Any, remote_actor: models.Actor, remote_key: Any
) -> None:
    from fedihub import jobs
    from fedihub.accounts import users

    rt: Runtime = app.extensions["fedihub.runtime"]
    local = await users.create(rt, "alice", "alice@example.org", "correct horse battery staple")
    await models.Follow.create(
        follower_id=local.actor_id, target=remote_actor, state=models.FollowState.ACCEPTED
    )
    activity = _note_activity()
    activity["object"]["content"] = (
        '<p>hi <script>alert(1)</script><a href="javascript:x()">x</a></p>'
    )
    body = json.dumps(activity).encode()
    assert (
        await client.post("/inbox", data=body, headers=_signed(body, remote_key))
    ).status_code == 202
    await jobs.drain(rt)
    status = await models.Status.get(uri=activity["object"]["id"])
    assert "<script" not in status.content and "javascript:" not in status.content
    assert status.actor_id == remote_actor.id


async def test_create_of_an_object_on_another_server_is_not_trusted(
    app: Any, client: Any, remote_actor: models.Actor, remote_key: Any
) -> None:
    from fedihub import jobs

    rt: Runtime = app.extensions["fedihub.runtime"]
    activity = _note_activity()
    activity["object"]["id"] = "https://victim.example/notes/1"
    activity["object"]["attributedTo"] = "https://victim.example/users/v"
    body = json.dumps(activity).encode()
    assert (
        await client.post("/inbox", data=body, headers=_signed(body, remote_key))
    ).status_code == 202
    await jobs.drain(rt)
    assert not await models.Status.filter(uri="https://victim.example/notes/1").exists()
    job = await models.Job.get(kind="inbox")
    assert job.state == models.JobState.DEAD and "own server" in (job.last_error or "")


async def test_unknown_activity_types_are_accepted_and_ignored(
    app: Any, client: Any, remote_actor: models.Actor, remote_key: Any
) -> None:
    from fedihub import jobs

    rt: Runtime = app.extensions["fedihub.runtime"]
    activity = {
        "id": f"{REMOTE}/x/1",
        "type": "EmojiReact",
        "actor": remote_actor.uri,
        "object": "https://fedihub.test/x",
    }
    body = json.dumps(activity).encode()
    assert (
        await client.post("/inbox", data=body, headers=_signed(body, remote_key))
    ).status_code == 202
    await jobs.drain(rt)
    assert (await models.Job.get(kind="inbox")).state == models.JobState.DONE
