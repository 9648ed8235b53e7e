"""Who may download a restricted file (media/placement.py keeps files of posts not everyone may
see under `restricted/`): whoever may see the post it belongs to, by the rules of
social/visibility.py, and nobody when it belongs to no post they may see.

- The owner always (an unattached upload, a draft's files).
- A local account (signed in on the web, or through an API token) when it may see the status.
- A peer by a signed fetch: the signer when it may see the status, or the signer's node when the
  post went to that node (one of its accounts follows the author of a followers-only post, or is
  addressed by a direct one), because peers fetch media as their instance actor, not as the
  follower (fedihub and Mastodon alike). Institution-only files never leave the node.
- Anyone else: not found, as if there were no such file.

A members-only project's data set file: its members, and by signed fetch the nodes where they
live (the Document went to them).

An article's cover is not attached to its status (status_id stays empty): it is reached through
the article that names it.
"""

from __future__ import annotations

from tortoise.expressions import Q

from fedihub import models
from fedihub.errors import NotFound
from fedihub.models import FollowState, Visibility
from fedihub.social import visibility

NOT_FOUND = "no such file"


async def downloadable(key: str, viewer: models.Actor | None) -> models.MediaAttachment:
    """The attachment whose original or preview is stored under `key`, when `viewer` (a local
    account, a verified remote signer, or None) may download it; NotFound otherwise."""
    item = await models.MediaAttachment.filter(Q(storage_key=key) | Q(preview_key=key)).first()
    if item is None or viewer is None:
        raise NotFound(NOT_FOUND)
    if viewer.id == item.actor_id and viewer.domain is None:
        return item
    project_id = await _dataset_project(item)
    if project_id is not None:
        if await _member_or_members_node(project_id, viewer):
            return item
        raise NotFound(NOT_FOUND)
    status = await _status_of(item)
    if status is None or status.deleted_at is not None:
        raise NotFound(NOT_FOUND)
    if await visibility.can_see(viewer, status):
        return item
    if viewer.domain is not None and await _went_to_node(viewer.domain, status):
        return item
    raise NotFound(NOT_FOUND)


async def granted(key: str) -> models.MediaAttachment:
    """The attachment stored under `key` for the holder of a valid capability URL
    (media/capability.py, checked by the caller): it was given only to who could see the post, so
    it stands for them while the file stays there and its post is not deleted; NotFound
    otherwise."""
    item = await models.MediaAttachment.filter(Q(storage_key=key) | Q(preview_key=key)).first()
    if item is None:
        raise NotFound(NOT_FOUND)
    if item.status_id is not None:
        gone = models.Status.filter(id=item.status_id, deleted_at__not_isnull=True).exists()
    else:  # an upload not yet posted (its owner's), or a cover: gone with its article
        gone = models.Article.filter(cover_id=item.id, deleted_at__not_isnull=True).exists()
    if await gone:
        raise NotFound(NOT_FOUND)
    return item


async def _dataset_project(item: models.MediaAttachment) -> int | None:
    """The project whose data set this file is, if it is one."""
    found = await models.ProjectDataset.filter(media_id=item.id).first()
    return found.project_id if found is not None else None


async def _member_or_members_node(project_id: int, viewer: models.Actor) -> bool:
    """A member of the project, or (a signed fetch) a node where one of its members lives."""
    members = models.ProjectMember.filter(project_id=project_id)
    if viewer.domain is None:
        return await members.filter(actor_id=viewer.id).exists()
    return await members.filter(actor__domain=viewer.domain).exists()


async def _status_of(item: models.MediaAttachment) -> models.Status | None:
    if item.status_id is not None:
        return await models.Status.get_or_none(id=item.status_id)
    article = await models.Article.filter(
        cover_id=item.id, actor_id=item.actor_id, deleted_at__isnull=True, draft=False
    ).first()
    if article is None or article.status_id is None:
        return None  # an unattached upload or a draft's file: its owner's only
    return await models.Status.get_or_none(id=article.status_id)


async def _went_to_node(domain: str, status: models.Status) -> bool:
    """Whether a followers-only or direct status was delivered to a node (`domain`)."""
    if not visibility.federates(status.visibility):
        return False
    mentioned = await models.Mention.filter(status_id=status.id, actor__domain=domain).exists()
    if mentioned:
        return True
    if status.visibility is not Visibility.PRIVATE:
        return False
    return await models.Follow.filter(
        target_id=status.actor_id, follower__domain=domain, state=FollowState.ACCEPTED
    ).exists()
