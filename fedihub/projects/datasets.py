"""A project's shared data sets: AS2 `Document`s (name, description, `url`, `mediaType`, `size`,
FEP-1311 `digestMultibase`) hosted on the project's node, whose rows are the truth.

On the project's node a member adds one (a link, or a file she uploaded here through the media
API) and the Group publishes `Create{Document}` to everyone who hears the project, addressed as
its feed is: a members-only project's data sets go to its members' nodes alone, addressed to its
members collection. On a member's node the rows of a remote project mirror what its Group said.
Who may list them is who may see the project (groups.visible: members only when members-only),
and a members-only project's uploaded files are kept under `restricted/`, served to its members
and to the nodes where its members live (social/media_access.py).
"""

from __future__ import annotations

import re
from typing import Any

from fedihub import models
from fedihub.activitypub import parse
from fedihub.errors import Forbidden, Invalid
from fedihub.ids import new_id
from fedihub.media import placement
from fedihub.models import ProjectVisibility
from fedihub.outbox import publish
from fedihub.projects import activities, groups, members
from fedihub.runtime import Runtime

MAX_LISTED = 1000
_MEDIA_TYPE = re.compile(r"^[\w.+-]{1,63}/[\w.+-]{1,63}$")
# multibase: a base prefix character, then the encoded multihash (FEP-1311 uses base58btc, "z")
_MULTIBASE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z+/=_-]{7,127}$")


def _checked(raw: dict[str, Any]) -> dict[str, Any]:
    """The columns a member's input sets; Invalid names the field."""
    name = str(raw.get("name") or "").strip()
    if not name or len(name) > 255:
        raise Invalid("name must be 1 to 255 characters", field="name")
    description = str(raw.get("description") or "")
    if len(description) > 20_000:
        raise Invalid("description over 20000 characters", field="description")
    url = raw.get("url")
    if url is not None and (parse.http_url(url) is None or len(str(url)) > 768):
        raise Invalid("url must be an http(s) URL", field="url")
    media_type = raw.get("media_type")
    if media_type is not None and not _MEDIA_TYPE.match(str(media_type)):
        raise Invalid("media_type must be a media type like text/csv", field="media_type")
    size = raw.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise Invalid("size must be a number of bytes", field="size")
    digest = raw.get("digest_multibase")
    if digest is not None and not _MULTIBASE.match(str(digest)):
        raise Invalid("digest_multibase must be a multibase string", field="digest_multibase")
    return {
        "name": name,
        "description": description,
        "url": str(url) if url is not None else None,
        "media_type": str(media_type) if media_type is not None else None,
        "size": size,
        "digest_multibase": str(digest) if digest is not None else None,
    }


async def add(
    rt: Runtime,
    project: models.Project,
    actor: models.Actor,
    raw: dict[str, Any],
    media_id: int | None = None,
) -> models.ProjectDataset:
    """A member adds a data set to a local project: a `url`, or `media_id` (her upload here, whose
    URL, type and size it takes); published to the project's audience."""
    if not project.local:
        raise Forbidden("a project's data sets are added on its own node")
    if await groups.role_of(project, actor) is None:
        raise Forbidden("only the project's members may add data sets")
    fields = _checked(raw)
    members_only = project.visibility is ProjectVisibility.MEMBERS
    if media_id is not None:
        media = await models.MediaAttachment.get_or_none(id=media_id, actor_id=actor.id)
        if media is None or not media.storage_key:
            raise Invalid("media_id is not an upload of yours", field="media_id")
        if members_only:
            # a members-only project's file is served to its members alone (media_access.py)
            await placement.place(rt, [media.id], restricted=True)
            await media.refresh_from_db(fields=["storage_key", "preview_key"])
        assert media.storage_key is not None
        fields["url"] = placement.url(rt, media.storage_key)
        fields["media_type"] = fields["media_type"] or media.content_type
        fields["size"] = fields["size"] if fields["size"] is not None else media.size
    if fields["url"] is None:
        raise Invalid("a data set has a url or a media_id", field="url")
    dataset_id = new_id()
    dataset = await models.ProjectDataset.create(
        id=dataset_id,
        uri=f"{project.actor.uri}/datasets/{dataset_id}",
        project=project,
        created_by=actor,
        media_id=media_id,
        **fields,
    )
    heard = await (members.remote_members(project) if members_only else members.audience(project))
    if heard:
        doc = activities.dataset_create(rt, project, dataset, members_only=members_only)
        await publish.publish(rt, project.actor, doc, heard)
    return dataset


async def of_project(project: models.Project) -> list[models.ProjectDataset]:
    return (
        await models.ProjectDataset.filter(project_id=project.id)
        .prefetch_related("created_by")
        .order_by("-id")
        .limit(MAX_LISTED)
    )


async def on_document(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A remote project's Create of one of its data sets, kept here as a mirror."""
    if activity.type != "Create" or signer.actor_type != "Group" or signer.domain is None:
        return
    embedded = activity.embedded
    if not isinstance(embedded, parse.ObjectDoc) or embedded.type != "Document":
        return
    project = await groups.for_actor(signer)
    if project is None or project.local:
        return
    doc = parse.dataset_doc(embedded.document)
    if doc is None:
        return
    if parse.host_of(doc.id) != signer.domain:
        raise Forbidden("a project's data sets live on its own node")
    await models.ProjectDataset.update_or_create(
        defaults={
            "project_id": project.id,
            "name": doc.name,
            "description": doc.description,
            "url": doc.url,
            "media_type": doc.media_type,
            "size": doc.size,
            "digest_multibase": doc.digest_multibase,
        },
        uri=doc.id,
    )
