"""Who may see a status, and whom it is addressed to: the one place these rules live.

Levels, from widest to narrowest:
- public: anyone; listed in public timelines; addressed to as:Public.
- unlisted: anyone with the link; not in public timelines; as:Public in cc.
- private: the author's followers (and mentioned actors); never in public collections.
- direct: only the mentioned actors.
- institution: signed-in users of this node only; never leaves the node (no delivery, no remote
  fetch, not even to followers elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass

from fedihub import models
from fedihub.models import FollowState, Visibility

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# equivalent spellings peers use for the public collection (bovine sends "as:Public")
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})


@dataclass(frozen=True)
class Addressing:
    to: list[str]
    cc: list[str]


def federates(visibility: Visibility) -> bool:
    return visibility is not Visibility.INSTITUTION


def listed(visibility: Visibility) -> bool:
    """Shown in public timelines and public collections."""
    return visibility is Visibility.PUBLIC


def addressing(visibility: Visibility, followers_url: str, mentioned: list[str]) -> Addressing:
    """AS2 `to`/`cc` for a status of the given visibility (Mastodon's layout)."""
    if visibility is Visibility.PUBLIC:
        return Addressing(to=[PUBLIC], cc=[followers_url, *mentioned])
    if visibility is Visibility.UNLISTED:
        return Addressing(to=[followers_url], cc=[PUBLIC, *mentioned])
    if visibility is Visibility.PRIVATE:
        return Addressing(to=[followers_url], cc=list(mentioned))
    if visibility is Visibility.DIRECT:
        return Addressing(to=list(mentioned), cc=[])
    return Addressing(to=[], cc=[])


def visibility_from_addressing(
    to: list[str], cc: list[str], followers_url: str | None
) -> Visibility:
    """The visibility of a remote object from its audience (Mastodon's reading of it)."""
    if any(a in PUBLIC_ALIASES for a in to):
        return Visibility.PUBLIC
    if any(a in PUBLIC_ALIASES for a in cc):
        return Visibility.UNLISTED
    if followers_url and (followers_url in to or followers_url in cc):
        return Visibility.PRIVATE
    return Visibility.DIRECT


async def can_see(viewer: models.Actor | None, status: models.Status) -> bool:
    """May `viewer` (None: anonymous or an unsigned fetch) see `status`?"""
    if status.deleted_at is not None:
        return False
    if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        if viewer is not None and await _blocked(status.actor_id, viewer.id):
            return False
        return True
    if viewer is None:
        return False
    if viewer.id == status.actor_id:
        return True
    if status.visibility is Visibility.INSTITUTION:
        return viewer.domain is None
    if await _blocked(status.actor_id, viewer.id):
        return False
    if await models.Mention.filter(status_id=status.id, actor_id=viewer.id).exists():
        return True
    if status.visibility is Visibility.PRIVATE:
        return await models.Follow.filter(
            follower_id=viewer.id, target_id=status.actor_id, state=FollowState.ACCEPTED
        ).exists()
    return False


async def _blocked(author_id: int, viewer_id: int) -> bool:
    return await models.Block.filter(actor_id=author_id, target_id=viewer_id).exists()
