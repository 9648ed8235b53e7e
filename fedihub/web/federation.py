"""The read side of federation: local actors, objects and their collections, by content negotiation.

One URL answers ActivityStreams JSON or HTML by the Accept header (Mastodon's layout): /users/<name>
and /@<name>, /users/<name>/statuses/<id> and /@<name>/<id>. Who asks is the verified signer of the
request (`requesting_actor`); what they may see is decided by social/visibility.py. With the
run-time setting `authorized_fetch` on, every document here but the instance actor needs a valid
signature (Mastodon's secure mode). The collections' contents come from social/collections.py.
"""

from __future__ import annotations

import json
from typing import Any

from quart import Blueprint, Response, g, redirect, request
from werkzeug.wrappers.response import Response as WerkzeugResponse

from fedihub import models
from fedihub.accounts import activities, node_settings, signers
from fedihub.activitypub import vocabulary
from fedihub.errors import BadRequest, NotFound, Unauthorized
from fedihub.models import Visibility
from fedihub.social import collections, documents, visibility
from fedihub.web import account_pages, session, status_pages
from fedihub.web.common import request_target, runtime, wants_activity_json

blueprint = Blueprint("federation", __name__)

AS_CONTENT_TYPE = "application/activity+json; charset=utf-8"
_REQUESTER = "fedihub_requesting_actor"


def as_response(document: dict[str, Any], status: int = 200) -> Response:
    # Vary: the same URL answers HTML to browsers, so caches must key on Accept
    return Response(
        json.dumps(document),
        status=status,
        content_type=AS_CONTENT_TYPE,
        headers={"Vary": "Accept, Signature"},
    )


# --- who is asking -------------------------------------------------------------------------------


async def requesting_actor() -> models.Actor | None:
    """The verified signer of this request, or None if it is unsigned; BadSignature (401) if the
    signature is invalid (accounts/signers.py, the same check as the inbox's). Worked out once
    per request."""
    if _REQUESTER in g:
        cached: models.Actor | None = getattr(g, _REQUESTER)
        return cached
    actor: models.Actor | None = None
    if "Signature" in request.headers or "Signature-Input" in request.headers:
        signer = await signers.verify(
            runtime(),
            method=request.method,
            target=request_target(),
            headers=dict(request.headers),
            body=None,
        )
        actor = signer.actor
    setattr(g, _REQUESTER, actor)
    return actor


async def requester_for_documents() -> models.Actor | None:
    """The signer of an ActivityStreams GET; Unauthorized if unsigned while authorized fetch is
    on."""
    actor = await requesting_actor()
    if actor is None and await node_settings.get("authorized_fetch"):
        raise Unauthorized("this node answers signed requests only (authorized fetch)")
    return actor


# --- lookups -------------------------------------------------------------------------------------


async def local_actor(username: str) -> models.Actor:
    """A local user's actor by username (any case); NotFound if unknown, disabled or deleted."""
    user = await models.User.get_or_none(username_key=username.lower()).prefetch_related("actor")
    if user is None or user.disabled or user.actor.deleted_at is not None:
        raise NotFound("no such account")
    return user.actor


async def _local_status(username: str, status_id: int) -> tuple[models.Actor, models.Status]:
    author = await local_actor(username)
    status = await models.Status.get_or_none(
        id=status_id, actor_id=author.id, local=True, reblog_of_id=None
    )
    if status is None:
        raise NotFound("no such status")
    return author, status


async def _served_status(username: str, status_id: int) -> models.Status:
    """A status this request may fetch as ActivityStreams; a deleted public one is returned as is
    for its Tombstone. NotFound for everything else, so a hidden status looks like none at all."""
    requester = await requester_for_documents()
    _author, status = await _local_status(username, status_id)
    # institution statuses never leave the node, not even as a tombstone
    if not visibility.federates(status.visibility):
        raise NotFound("no such status")
    if status.deleted_at is not None:
        if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
            return status
        raise NotFound("no such status")
    if not await visibility.can_see(requester, status):
        raise NotFound("no such status")
    return status


async def _status_response(username: str, status_id: int, *, activity: bool = False) -> Response:
    rt = runtime()
    status = await _served_status(username, status_id)
    if status.deleted_at is not None:
        return as_response(documents.tombstone_document(rt, status), 410)
    if not activity:
        return as_response(await documents.note_document(rt, status))
    note = await documents.note_document(rt, status, with_context=False)
    return as_response(documents.create_document(rt, status, note))


# --- actors --------------------------------------------------------------------------------------


@blueprint.get("/actor")
async def instance_actor() -> Response:
    # Never behind authorized fetch: a peer must read this key to check our signed fetches, and
    # we need its key to check theirs (Mastodon serves /actor unsigned for the same reason).
    return as_response(activities.instance_actor_document(runtime()))


@blueprint.get("/actor/outbox")
async def instance_actor_outbox() -> Response:
    url = f"{runtime().urls.instance_actor}/outbox"
    return as_response(
        {
            "@context": vocabulary.AS_CONTEXT,
            "id": url,
            "type": "OrderedCollection",
            "totalItems": 0,
            "orderedItems": [],
        }
    )


@blueprint.get("/users/<username>")
async def actor(username: str) -> Response | WerkzeugResponse:
    if not wants_activity_json():
        found = await local_actor(username)
        return redirect(found.url or runtime().urls.profile(found.username), 303)
    await requester_for_documents()
    return as_response(await activities.actor_document(runtime(), await local_actor(username)))


@blueprint.get("/@<username>")
async def profile(username: str) -> Response | str:
    if "@" in username:  # /@name@domain: a remote account's page here, as Mastodon shows it
        if wants_activity_json():
            raise NotFound("no such account")
        return await account_pages.remote_profile(username)
    found = await local_actor(username)
    if wants_activity_json():
        await requester_for_documents()
        return as_response(await activities.actor_document(runtime(), found))
    return await account_pages.profile_page(found)


# --- objects -------------------------------------------------------------------------------------


@blueprint.get("/users/<username>/statuses/<int:status_id>")
async def status_object(username: str, status_id: int) -> Response | WerkzeugResponse:
    if not wants_activity_json():
        author, status = await _local_status(username, status_id)
        return redirect(runtime().urls.status_page(author.username, status.id), 303)
    return await _status_response(username, status_id)


@blueprint.get("/users/<username>/statuses/<int:status_id>/activity")
async def status_activity(username: str, status_id: int) -> Response:
    return await _status_response(username, status_id, activity=True)


@blueprint.get("/@<username>/<int:status_id>")
async def status_page(username: str, status_id: int) -> Response | str:
    if wants_activity_json():
        return await _status_response(username, status_id)
    _author, status = await _local_status(username, status_id)
    user = await session.current_user()
    viewer = user.actor if user is not None else None
    if not await visibility.can_see(viewer, status):
        raise NotFound("no such status")
    return await status_pages.thread_page(status, viewer)


# --- collections ---------------------------------------------------------------------------------


def page_request() -> collections.PageRequest | None:
    """None for the collection itself; else the page that ?page=true&max_id=/min_id= asks for."""
    args = request.args
    if "page" not in args and "max_id" not in args and "min_id" not in args:
        return None
    bounds: dict[str, int | None] = {}
    for name in ("max_id", "min_id"):
        raw = args.get(name)
        try:
            bounds[name] = int(raw) if raw not in (None, "") else None
        except ValueError:
            raise BadRequest(f"{name} must be a number") from None
    return collections.PageRequest(max_id=bounds["max_id"], min_id=bounds["min_id"])


@blueprint.get("/users/<username>/outbox")
async def outbox(username: str) -> Response:
    requester = await requester_for_documents()
    found = await local_actor(username)
    return as_response(await collections.outbox(runtime(), found, requester, page_request()))


@blueprint.get("/users/<username>/followers")
async def followers(username: str) -> Response:
    await requester_for_documents()
    found = await local_actor(username)
    return as_response(await collections.followers(runtime(), found, page_request()))


@blueprint.get("/users/<username>/following")
async def following(username: str) -> Response:
    await requester_for_documents()
    found = await local_actor(username)
    return as_response(await collections.following(runtime(), found, page_request()))


@blueprint.get("/users/<username>/collections/featured")
async def featured(username: str) -> Response:
    requester = await requester_for_documents()
    found = await local_actor(username)
    return as_response(await collections.featured(runtime(), found, requester))
