"""Who may see a status, and whom it is addressed to: the one place these rules live.

Levels, from widest to narrowest:
- public: anyone; listed in public timelines; addressed to as:Public.
- unlisted: anyone with the link; not in public timelines; as:Public in cc.
- private: the author's followers (and mentioned actors); never in public collections.
- direct: only the mentioned actors.
- institution: signed-in users of this node only; never leaves the node (no delivery, no remote
  fetch, not even to followers elsewhere).
- members: a post in a members-only project (its `audience`): the project's members only,
  addressed to its members collection and nothing else; a remote viewer is a member, or an actor
  of a member's node (its signed fetch, Lemmy's private communities); never boosted, never in
  public timelines, search or trends.

An author who blocked the viewer hides all their statuses from the viewer. A boost is seen only
by those who may see both the boost (at its own level) and what it boosts, and it never reaches
further than its original (`boost_level`, `boostable`). Every place that shows a status shows it
through `visible` (one viewer, many statuses: timelines, entities) or `local_audience` (one
status, many local viewers: streams), which apply the one rule, `_allowed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.queryset import QuerySet

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


def addressing(
    visibility: Visibility,
    followers_url: str,
    mentioned: list[str],
    members_url: str | None = None,
) -> Addressing:
    """AS2 `to`/`cc` for a status of the given visibility (Mastodon's layout); a members-only
    post goes to its project's members collection (`members_url`) and to no one else."""
    if visibility is Visibility.MEMBERS:
        return Addressing(to=[members_url] if members_url else [], cc=[])
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
    to: list[str], cc: list[str], followers_url: str | None, members_url: str | None = None
) -> Visibility:
    """The visibility of a remote object from its audience (Mastodon's reading of it); addressed
    to its project's members collection (`members_url`) and not public: members only."""
    if any(a in PUBLIC_ALIASES for a in to):
        return Visibility.PUBLIC
    if any(a in PUBLIC_ALIASES for a in cc):
        return Visibility.UNLISTED
    if members_url and (members_url in to or members_url in cc):
        return Visibility.MEMBERS
    if followers_url and (followers_url in to or followers_url in cc):
        return Visibility.PRIVATE
    return Visibility.DIRECT


def boost_level(original: Visibility, requested: Visibility) -> Visibility:
    """The visibility of a boost of a status of level `original` that asked for `requested`.

    A boost never reaches further than what it boosts: a self-boost of a followers-only status is
    followers-only (Mastodon's ReblogService takes the original's level for a "hidden" status),
    and a boost of an institution-only status stays institution-only. Public and unlisted statuses
    are boosted at the level asked for. Direct statuses cannot be boosted at all (`boostable`)."""
    if original in (Visibility.PRIVATE, Visibility.DIRECT, Visibility.INSTITUTION):
        return original
    return requested


def boostable(status: models.Status, booster_id: int) -> bool:
    """Whether `booster_id` may boost `status`: public and unlisted statuses by anyone who sees
    them, followers-only and institution-only statuses by their author alone, direct ones by
    nobody (Mastodon's StatusPolicy#reblog? and ActivityPub::Activity::Announce#announceable?)."""
    if status.reblog_of_id is not None or status.deleted_at is not None:
        return False
    if status.visibility is Visibility.MEMBERS:  # a boost would address the booster's followers
        return False
    if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return True
    return status.visibility is not Visibility.DIRECT and status.actor_id == booster_id


async def _ints(query: QuerySet[Any], column: str) -> set[int]:
    return {int(value) for (value,) in await query.values_list(column)}


def _allowed(
    status: models.Status,
    viewer_id: int | None,
    *,
    local: bool,
    blocked: bool,
    follows: bool,
    mentioned: bool,
    member: bool = False,
) -> bool:
    """The rule itself, on facts the callers load in bulk. `blocked`: the author blocks the viewer;
    `follows`: the viewer's follow of the author is accepted; `mentioned`: the status mentions the
    viewer; `local`: the viewer is an account of this node; `member`: the viewer is a member of
    the status's project (a remote viewer: on a member's node). Deletion is the callers' to
    check."""
    level = status.visibility
    if viewer_id is None:
        return level in (Visibility.PUBLIC, Visibility.UNLISTED)
    if viewer_id == status.actor_id:
        return True
    if blocked:
        return False
    if level in (Visibility.PUBLIC, Visibility.UNLISTED):
        return True
    if level is Visibility.INSTITUTION:
        return local
    if level is Visibility.MEMBERS:  # a mention of a non-member does not open it
        return member
    if mentioned:
        return True
    return level is Visibility.PRIVATE and follows


async def originals_of(items: Sequence[models.Status]) -> dict[int, models.Status]:
    """The statuses that the boosts among `items` boost, by id (one query, none without boosts)."""
    ids = {s.reblog_of_id for s in items if s.reblog_of_id is not None}
    return {s.id: s for s in await models.Status.filter(id__in=ids)} if ids else {}


async def visible(
    viewer: models.Actor | None,
    items: Sequence[models.Status],
    originals: dict[int, models.Status] | None = None,
) -> list[models.Status]:
    """Those of `items` that `viewer` may see, in order: a boost only when its original is visible
    too (a boost never shows more than its original's audience may read). At most four queries
    whatever the number of statuses; `originals` (from originals_of) saves one."""
    if not items:
        return []
    if originals is None:
        originals = await originals_of(items)
    every = [*items, *originals.values()]
    blockers: set[int] = set()
    followed: set[int] = set()
    mentioning: set[int] = set()
    member_of: set[str] = set()
    if viewer is not None:
        others = [s for s in every if s.actor_id != viewer.id]
        authors = {s.actor_id for s in others}
        if authors:
            blocks = models.Block.filter(actor_id__in=authors, target_id=viewer.id)
            blockers = await _ints(blocks, "actor_id")
        private = {s.actor_id for s in others if s.visibility is Visibility.PRIVATE}
        if private:
            follows = models.Follow.filter(
                follower_id=viewer.id, target_id__in=private, state=FollowState.ACCEPTED
            )
            followed = await _ints(follows, "target_id")
        addressed = {
            s.id for s in others if s.visibility in (Visibility.PRIVATE, Visibility.DIRECT)
        }
        if addressed:
            mentions = models.Mention.filter(actor_id=viewer.id, status_id__in=addressed)
            mentioning = await _ints(mentions, "status_id")
        projects = {
            s.audience_uri for s in others if s.visibility is Visibility.MEMBERS and s.audience_uri
        }
        if projects:
            member_of = await _projects_of(viewer, projects)
    viewer_id = viewer.id if viewer is not None else None
    local = viewer is not None and viewer.domain is None

    def allowed(status: models.Status) -> bool:
        return status.deleted_at is None and _allowed(
            status,
            viewer_id,
            local=local,
            blocked=status.actor_id in blockers,
            follows=status.actor_id in followed,
            mentioned=status.id in mentioning,
            member=status.audience_uri in member_of,
        )

    out = []
    for status in items:
        if not allowed(status):
            continue
        if status.reblog_of_id is not None:
            original = originals.get(status.reblog_of_id)
            # a boost of a boost is never made; one found is not shown
            if original is None or original.reblog_of_id is not None or not allowed(original):
                continue
        out.append(status)
    return out


async def _projects_of(viewer: models.Actor, project_uris: set[str]) -> set[str]:
    """Those of `project_uris` (Group actors' ids) whose members include `viewer`, or, for a
    remote viewer, an actor of its node (a member's node fetching with its instance actor)."""
    rows = models.ProjectMember.filter(project__actor__uri__in=project_uris)
    if viewer.domain is None:
        rows = rows.filter(actor_id=viewer.id)
    else:
        rows = rows.filter(actor__domain=viewer.domain)
    found = await rows.values_list("project__actor__uri", flat=True)
    return {str(uri) for uri in found}


async def members_url_of(status: models.Status) -> str | None:
    """The members collection of the project a members-only status was posted in."""
    if status.visibility is not Visibility.MEMBERS or not status.audience_uri:
        return None
    found = await models.Project.filter(actor__uri=status.audience_uri).values_list(
        "members_url", flat=True
    )
    return str(found[0]) if found and found[0] else None


async def can_see(viewer: models.Actor | None, status: models.Status) -> bool:
    """May `viewer` (None: anonymous or an unsigned fetch) see `status` (and, for a boost, what it
    boosts)?"""
    return bool(await visible(viewer, [status]))


async def local_audience(chain: Sequence[models.Status], candidates: set[int]) -> set[int]:
    """Those of `candidates`, ids of this node's accounts, who may see every status of `chain` (a
    boost and its original), deleted or not (a deletion goes where the status went): the rule of
    `visible`, for many viewers of one status. Reads by the statuses' authors and ids, never an
    IN list of the candidates: a handful of queries whatever the number of followers."""
    allowed = set(candidates)
    for status in chain:
        if not allowed:
            break
        blocked = await _ints(models.Block.filter(actor_id=status.actor_id), "target_id")
        followers: set[int] = set()
        mentioned: set[int] = set()
        if status.visibility in (Visibility.PRIVATE, Visibility.DIRECT):
            mentions = models.Mention.filter(status_id=status.id)
            mentioned = await _ints(mentions, "actor_id")
        members: set[int] = set()
        if status.visibility is Visibility.MEMBERS and status.audience_uri:
            rows = models.ProjectMember.filter(
                project__actor__uri=status.audience_uri, actor__domain__isnull=True
            )
            members = await _ints(rows, "actor_id")
        if status.visibility is Visibility.PRIVATE:
            follows = models.Follow.filter(
                target_id=status.actor_id,
                state=FollowState.ACCEPTED,
                follower__domain__isnull=True,
            )
            followers = await _ints(follows, "follower_id")
        allowed = {
            viewer_id
            for viewer_id in allowed
            if _allowed(
                status,
                viewer_id,
                local=True,
                blocked=viewer_id in blocked,
                follows=viewer_id in followers,
                mentioned=viewer_id in mentioned,
                member=viewer_id in members,
            )
        }
    return allowed
