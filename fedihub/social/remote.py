"""Remote objects fetched from their own origin (never trusted as embedded by a third party), with
bounds on how far one activity may make us fetch."""

from __future__ import annotations

from dataclasses import dataclass

from fedihub import models
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.activitypub.vocabulary import ACTOR_TYPES
from fedihub.errors import BadRequest, RemoteError
from fedihub.runtime import Runtime
from fedihub.social import statuses

MAX_REPLY_DEPTH = 5


@dataclass
class FetchBudget:
    """How many remote fetches one activity may still cause."""

    left: int = 10

    def spend(self) -> None:
        if self.left <= 0:
            raise RemoteError("fetch budget for this activity used up")
        self.left -= 1


async def fetch_status(rt: Runtime, uri: str, budget: FetchBudget, depth: int = 0) -> models.Status:
    """The status at `uri`, fetched from its origin if unknown; reply parents up to a bound."""
    known = await models.Status.get_or_none(uri=uri)
    if known is not None:
        return known
    if resolver.is_local_uri(rt, uri):
        raise BadRequest("no such local object")
    budget.spend()
    doc = await resolver.fetch_document(rt, uri)
    obj = parse.object_doc(doc)
    if parse.host_of(obj.id) != parse.host_of(uri):
        raise RemoteError("fetched object claims an id on another server")
    if obj.type in ACTOR_TYPES or not obj.attributed_to:
        raise BadRequest("not a status")
    budget.spend()
    author = await resolver.fetch_actor(rt, obj.attributed_to)
    if obj.in_reply_to and depth < MAX_REPLY_DEPTH and budget.left > 0:
        try:
            await fetch_status(rt, obj.in_reply_to, budget, depth + 1)
        except (RemoteError, BadRequest):
            pass  # a missing parent does not stop the reply from being stored
    return await statuses.store_remote(rt, author, obj)
