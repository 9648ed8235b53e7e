"""The project feed (FEP-1b12, as Lemmy and Mobilizon do it): members post with `audience` set
to the project; the project's Group redistributes each member's activity to everyone who hears
the project.

- To every member's node and follower: `Announce` of the member's `Create`, unchanged (1b12
  MUST: a proof on it still verifies), for posts and replies alike.
- For top-level posts only, also `Announce` of the post's id: what Mastodon understands (it drops
  `Announce(Create)`), and what a boost on this node is. Replies are not boosted: Mastodon users
  who follow a project see its posts, not every comment (lemmy#2224, PR #1914).
- Non-members cannot post: their posts to the project are not redistributed.

The redistribution is a job (REDISTRIBUTE): a post to a project of 1,000 members costs its
author's request only the post and one job row, stored in the post's transaction; the job loads
the audience and enqueues the deliveries (benchmarks/bench_project_fanout.py).

Members-only projects: their posts are of the `members` level (social/visibility.py): addressed
to the project's members collection only, redistributed to its members only (an `Announce` to
the members collection, never a boost), served to members and their nodes only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from fedihub import jobs, models
from fedihub.activitypub import parse
from fedihub.errors import Forbidden, Invalid
from fedihub.models import ProjectVisibility, Visibility
from fedihub.outbox import publish
from fedihub.projects import activities, groups, members
from fedihub.runtime import Runtime
from fedihub.social import activities as social_activities
from fedihub.social import interactions, statuses

log = logging.getLogger(__name__)
REDISTRIBUTE = "project_redistribute"


async def post(
    rt: Runtime, author: models.User, project: models.Project, draft: statuses.Draft
) -> models.Status:
    """A member posts to the project from this node (a local project, or a remote one: its
    Group gets the post and redistributes it)."""
    actor = await models.Actor.get(id=author.actor_id)
    if await groups.role_of(project, actor) is None:
        raise Forbidden("only the project's members may post to it")
    members_only = project.visibility is ProjectVisibility.MEMBERS
    if draft.in_reply_to_id is not None:
        parent = await models.Status.get_or_none(id=draft.in_reply_to_id)
        if parent is None or parent.audience_uri != project.actor.uri:
            raise Invalid("a reply in the project answers one of its posts", field="in_reply_to_id")

    async def enqueue_redistribution(status: models.Status) -> None:
        await _enqueue(rt, project, status, None)

    made = await statuses.create(
        rt,
        author,
        statuses.Draft(
            text_source=draft.text_source,
            visibility_level=Visibility.MEMBERS if members_only else Visibility.PUBLIC,
            spoiler_text=draft.spoiler_text,
            sensitive=draft.sensitive,
            language=draft.language,
            in_reply_to_id=draft.in_reply_to_id,
            media_ids=draft.media_ids,
            idempotency_key=draft.idempotency_key,
            audience=project.actor,
            in_reply_to_uri=draft.in_reply_to_uri,
        ),
        then=enqueue_redistribution if project.local else None,
    )
    jobs.queue.wake(rt)  # the job was stored in the post's transaction: now it can be claimed
    return made


async def comment(
    rt: Runtime, author: models.User, task: models.ProjectTask, text_source: str
) -> models.Status:
    """A member comments on a task (ForgeFed: a Note whose inReplyTo is the Ticket), as a post
    in the project's feed: the project's Group shares it with every member's node."""
    project = await groups.by_id(task.project_id)
    return await post(
        rt, author, project, statuses.Draft(text_source=text_source, in_reply_to_uri=task.uri)
    )


def comments(project: models.Project, task: models.ProjectTask) -> QuerySet[models.Status]:
    """A task's comments, from any node: posts in the project answering the Ticket (inReplyTo,
    or a `context` naming it)."""
    return models.Status.filter(
        Q(in_reply_to_uri=task.uri) | Q(conversation_uri=task.uri),
        audience_uri=project.actor.uri,
        deleted_at__isnull=True,
        reblog_of_id__isnull=True,
    )


async def _enqueue(
    rt: Runtime,
    project: models.Project,
    status: models.Status,
    create: Mapping[str, object] | None,
) -> None:
    """One redistribution job per post (keyed by it: a retried inbox job enqueues none again).
    `create`: a remote member's activity, forwarded unchanged; None: built from our own post."""
    payload: dict[str, Any] = {"project": project.id, "status": status.id}
    if create is not None:
        payload["create"] = dict(create)
    await jobs.queue.enqueue(
        rt, REDISTRIBUTE, payload, dedupe_key=f"{REDISTRIBUTE}:{project.id}:{status.id}"
    )


async def redistribute_job(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of REDISTRIBUTE: a post deleted or a project gone meanwhile is dropped."""
    project = (
        await models.Project.filter(id=int(payload["project"]), local=True, deleted_at__isnull=True)
        .prefetch_related("actor")
        .first()
    )
    status = await models.Status.get_or_none(
        id=int(payload["status"]), deleted_at__isnull=True
    ).prefetch_related("actor")
    if project is None or status is None:
        return
    create = payload.get("create")
    if not isinstance(create, dict):
        create = await social_activities.create(rt, status)
    await redistribute(rt, project, status, create)


async def redistribute(
    rt: Runtime, project: models.Project, status: models.Status, create: Mapping[str, object]
) -> None:
    """The local project's Group shares a member's post: Announce(Create) to everyone who hears
    it; a top-level post is also boosted (Announce of its id, to the Group's followers). A
    members-only post goes to the members' nodes alone, addressed to the members collection."""
    members_only = status.visibility is Visibility.MEMBERS
    heard = await (members.remote_members(project) if members_only else members.audience(project))
    recipients = [a for a in heard if a.id != status.actor_id]
    if recipients:
        doc = activities.announce(rt, project, dict(create), public=not members_only, key=status.id)
        if members_only:
            doc["to"], doc["cc"] = [project.members_url], []
        await publish.publish(rt, project.actor, doc, recipients)
    if status.in_reply_to_uri is None and not members_only:
        await interactions.reblog(rt, project.actor, status.id)


async def _comments_a_task(project: models.Project, status: models.Status) -> bool:
    answered = [u for u in (status.in_reply_to_uri, status.conversation_uri) if u]
    if not answered:
        return False
    return await models.ProjectTask.filter(project_id=project.id, uri__in=answered).exists()


def _addressed_groups(activity: parse.Activity) -> list[str]:
    obj = activity.embedded
    found = [*activity.to, *activity.cc]
    if isinstance(obj, parse.ObjectDoc):
        found = [*([obj.audience] if obj.audience else []), *obj.to, *obj.cc, *found]
    return list(dict.fromkeys(found))


async def on_create(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A Create addressed to a local project (after social stored the post): a member's post is
    redistributed; anyone else's is not."""
    obj = activity.embedded
    uri = obj.id if isinstance(obj, parse.ObjectDoc) else activity.object_id
    if not uri:
        return
    for group_uri in _addressed_groups(activity)[:20]:
        project = (
            await models.Project.filter(actor__uri=group_uri, local=True, deleted_at__isnull=True)
            .prefetch_related("actor")
            .first()
        )
        if project is None:
            continue
        status = await models.Status.get_or_none(uri=uri, actor_id=signer.id)
        if status is None:
            return
        if await groups.role_of(project, signer) is None:
            log.info("%s is not a member of %s: not redistributed", signer.uri, group_uri)
            return
        if status.visibility in (
            Visibility.PRIVATE,
            Visibility.DIRECT,
        ) and await _comments_a_task(project, status):
            # a comment on a task addressed to the project alone (a ForgeFed peer addresses the
            # tracker, not our members collection) is for the project's audience (FEP-1b12: the
            # group shares it): its members in a members-only project, else anyone with the
            # link (unlisted: never in public timelines)
            status.visibility = (
                Visibility.MEMBERS
                if project.visibility is ProjectVisibility.MEMBERS
                else Visibility.UNLISTED
            )
            await status.save(update_fields=["visibility"])
        if project.visibility is ProjectVisibility.MEMBERS and (
            status.visibility is not Visibility.MEMBERS
        ):
            # a member's post that names a members-only project but is addressed wider: the
            # project does not spread it (its author chose that audience, not the project)
            log.info("%s not addressed to %s's members: not redistributed", uri, group_uri)
            return
        if status.audience_uri != group_uri:
            status.audience_uri = group_uri
            await status.save(update_fields=["audience_uri"])
        await _enqueue(rt, project, status, activity.document)
        return
