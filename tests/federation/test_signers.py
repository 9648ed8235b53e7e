"""What a peer must prove before the node believes a signed request, on both paths that check
one (inbox POSTs and signed GETs share accounts/signers.py): every digest matches the body, the
key comes from the actor's own origin (no redirect elsewhere, ids and owners on that origin), a
deleted actor's key signs nothing, the key id is the key's own id, and a failed verification
refetches the key at most once per interval."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any, Protocol

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from fedihub import models
from fedihub.accounts import resolver, users
from fedihub.activitypub import signatures
from fedihub.errors import RemoteError
from fedihub.runtime import Runtime
from fedihub.security import keys
from fedihub.web.common import RUNTIME_KEY
from tests.federation.mockpeers import (
    Network,
    actor_document,
    create_note,
    fresh_origin,
    install,
    signed_get,
    signed_post,
    stored_actor,
)

KEY_A = keys.generate_private_key()
KEY_B = keys.generate_private_key()
KEY_C = keys.generate_private_key()
PATHS = ["inbox POST", "signed GET"]


class Attempt(Protocol):
    def __call__(
        self, key: rsa.RSAPrivateKey, key_id: str, actor: str, *, date: str | None = None
    ) -> Awaitable[int]: ...


@pytest.fixture
def rt(app: Any) -> Runtime:
    runtime: Runtime = app.extensions[RUNTIME_KEY]
    return runtime


@pytest.fixture
async def network(rt: Runtime) -> Network:
    return await install(rt)


@pytest.fixture(params=PATHS)
async def attempt(request: pytest.FixtureRequest, rt: Runtime, client: Any) -> Attempt:
    """A request signed with (key, key id) on behalf of an actor; the node's status code."""
    if request.param == "signed GET":
        await users.create(rt, "alice", "alice@uni.example", "correct horse battery staple")

        async def get(
            key: rsa.RSAPrivateKey, key_id: str, actor: str, *, date: str | None = None
        ) -> int:
            headers = signed_get("/users/alice", key, key_id, date=date)
            response = await client.get("/users/alice", headers=headers)
            return int(response.status_code)

        return get

    async def post(
        key: rsa.RSAPrivateKey, key_id: str, actor: str, *, date: str | None = None
    ) -> int:
        body = create_note(actor)
        headers = signed_post(body, key, key_id, date=date)
        response = await client.post("/inbox", data=body, headers=headers)
        return int(response.status_code)

    return post


def accepted(path_status: int) -> bool:
    return path_status in (200, 202)


# ---- digests (inbox only: a GET has no body) --------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "unsigned"), [("cavage", "Content-Digest"), ("rfc9421", "Digest")]
)
async def test_a_swapped_body_with_a_matching_unsigned_digest_header_is_refused(
    client: Any, scheme: str, unsigned: str
) -> None:
    # Given a POST captured from a peer (its signature covers the digest header it signed)
    origin = fresh_origin()
    eve = await stored_actor(f"{origin}/users/eve", KEY_A)
    body = create_note(eve.uri)
    headers = signed_post(body, KEY_A, f"{eve.uri}#main-key", scheme=scheme)
    # When an attacker swaps the body and adds the other, unsigned digest header for it
    swapped = create_note(eve.uri, 2).replace(b"note 2", b"forged")
    value = (
        signatures.content_digest_header(swapped)
        if unsigned == "Content-Digest"
        else signatures.digest_header(swapped)
    )
    response = await client.post("/inbox", data=swapped, headers={**headers, unsigned: value})
    # Then it is refused and nothing is queued
    assert response.status_code == 401
    assert "match" in (await response.get_json())["error"]
    assert not await models.Job.filter(kind="inbox").exists()
    # while the captured request itself still passes
    assert (await client.post("/inbox", data=body, headers=headers)).status_code == 202


# ---- the key's origin -------------------------------------------------------------------------


async def test_a_key_id_redirecting_to_another_origin_does_not_replace_the_victims_key(
    network: Network, attempt: Attempt
) -> None:
    # Given a known victim, and an open redirect on the victim's origin
    victim_origin, evil = fresh_origin("victim"), fresh_origin("evil")
    victim = await stored_actor(f"{victim_origin}/users/vic", KEY_A)
    key_id = f"{victim_origin}/out?to={evil}/fake"
    network.redirect(key_id, f"{evil}/fake")
    # and an attacker's document claiming to be the victim, publishing that key id
    network.serve(f"{evil}/fake", actor_document(victim.uri, KEY_B, key_id=key_id))

    status = await attempt(KEY_B, key_id, victim.uri)

    assert status == 401
    assert network.count(f"{evil}/fake") == 0  # the redirect is not followed
    kept = await models.Actor.get(id=victim.id)
    assert kept.public_key_pem == keys.public_pem(KEY_A)
    assert kept.public_key_id == f"{victim.uri}#main-key"
    assert not await models.Job.filter(kind="inbox").exists()


async def test_a_redirect_within_the_actors_origin_is_followed(
    network: Network, attempt: Attempt
) -> None:
    origin = fresh_origin()
    uri = f"{origin}/users/pat"
    network.redirect(uri, f"{origin}/actors/pat", 301)
    network.serve(f"{origin}/actors/pat", actor_document(uri, KEY_A))

    assert accepted(await attempt(KEY_A, f"{uri}#main-key", uri))
    assert (await models.Actor.get(uri=uri)).public_key_pem == keys.public_pem(KEY_A)


async def test_a_document_with_an_id_on_another_origin_than_where_it_was_read_is_refused(
    rt: Runtime, network: Network
) -> None:
    origin, other = fresh_origin(), fresh_origin("other")
    network.serve(f"{origin}/objects/1", {"id": f"{other}/objects/1", "type": "Note"})
    with pytest.raises(RemoteError, match="claims id"):
        await resolver.fetch_document(rt, f"{origin}/objects/1")


async def test_a_key_whose_owner_is_another_actor_is_refused(
    network: Network, attempt: Attempt
) -> None:
    # the document at the key id is an actor whose publicKey names someone else as owner
    origin = fresh_origin()
    uri = f"{origin}/users/sam"
    doc = actor_document(uri, KEY_A)
    doc["publicKey"]["owner"] = f"{origin}/users/someone-else"
    network.serve(uri, doc)

    assert await attempt(KEY_A, f"{uri}#main-key", uri) == 401
    assert not await models.Actor.filter(uri=uri).exists()


async def test_a_key_document_whose_owner_is_on_another_origin_is_refused(
    network: Network, attempt: Attempt
) -> None:
    origin, evil = fresh_origin(), fresh_origin("evil")
    key_id = f"{origin}/keys/1"
    owner = f"{evil}/users/mal"
    network.serve(
        key_id,
        {"id": key_id, "type": "Key", "owner": owner, "publicKeyPem": keys.public_pem(KEY_B)},
    )
    network.serve(owner, actor_document(owner, KEY_B, key_id=key_id))

    assert await attempt(KEY_B, key_id, owner) == 401
    assert network.count(owner) == 0
    assert not await models.Actor.filter(uri=owner).exists()


# ---- which keys sign ----------------------------------------------------------------------------


async def test_a_deleted_actors_key_signs_nothing(network: Network, attempt: Attempt) -> None:
    gone = await stored_actor(f"{fresh_origin()}/users/gone", KEY_A, deleted_at=datetime.now(UTC))
    assert await attempt(KEY_A, f"{gone.uri}#main-key", gone.uri) == 401
    assert network.fetched == []  # and nobody is asked about it


async def test_the_actor_uri_is_not_a_key_id_when_the_actor_publishes_another(
    network: Network, attempt: Attempt
) -> None:
    pat = await stored_actor(f"{fresh_origin()}/users/pat", KEY_A)
    network.serve(pat.uri, actor_document(pat.uri, KEY_A))
    assert await attempt(KEY_A, pat.uri, pat.uri) == 401
    assert accepted(await attempt(KEY_A, f"{pat.uri}#main-key", pat.uri))


async def test_a_rotated_key_is_refetched_once_and_forgeries_do_not_refetch_again(
    network: Network, attempt: Attempt
) -> None:
    # Given an actor fetched a moment ago, who has since rotated its key from A to B
    pat = await stored_actor(f"{fresh_origin()}/users/pat", KEY_A, fetched_at=datetime.now(UTC))
    network.serve(pat.uri, actor_document(pat.uri, KEY_B))
    key_id = f"{pat.uri}#main-key"

    # a forgery makes the node refetch the key once; the new key does not verify it either
    assert await attempt(KEY_C, key_id, pat.uri) == 401
    assert network.count(pat.uri) == 1
    # another forgery within the interval does not make it fetch again
    assert await attempt(KEY_C, key_id, pat.uri) == 401
    assert network.count(pat.uri) == 1
    # and a request signed with the new key passes on what the refetch stored
    assert accepted(await attempt(KEY_B, key_id, pat.uri))
    assert network.count(pat.uri) == 1


async def test_a_request_signed_with_a_rotated_key_passes_after_one_refetch(
    network: Network, attempt: Attempt
) -> None:
    pat = await stored_actor(f"{fresh_origin()}/users/pat", KEY_A, fetched_at=datetime.now(UTC))
    network.serve(pat.uri, actor_document(pat.uri, KEY_B))
    assert accepted(await attempt(KEY_B, f"{pat.uri}#main-key", pat.uri))
    assert network.count(pat.uri) == 1
    assert (await models.Actor.get(id=pat.id)).public_key_pem == keys.public_pem(KEY_B)


async def test_a_signature_dated_outside_the_hour_is_refused(
    network: Network, attempt: Attempt
) -> None:
    pat = await stored_actor(f"{fresh_origin()}/users/pat", KEY_A)
    key_id = f"{pat.uri}#main-key"
    for hours in (-1.1, 1.1):
        date = formatdate(time.time() + hours * 3600, usegmt=True)
        assert await attempt(KEY_A, key_id, pat.uri, date=date) == 401
    assert network.fetched == []
    assert accepted(await attempt(KEY_A, key_id, pat.uri, date=formatdate(usegmt=True)))
