"""Lists: a user's own named selections of accounts, their membership rules, and which lists hear
of a new status (for the live `list` stream; timelines.for_list reads a list's timeline).

The rules and words are Mastodon's: a list belongs to its owner alone (anyone else's is "Record
not found"), at most MAX_LISTS of them; an account joins a list only when the owner follows it or
has asked to (ListAccount#set_follow raises RecordNotFound otherwise, hence 404), or when it is the
owner; adding a member twice is "Account has already been taken". Ending the follow ends the
membership (models/lists.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.errors import Invalid, NotFound
from fedihub.models import FollowState, RepliesPolicy, Visibility

MAX_LISTS = 50  # Mastodon's List::PER_ACCOUNT_LIMIT
TITLE_MAX = 255
_SHOWN_LEVELS = (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE, Visibility.INSTITUTION)


def _missing() -> NotFound:
    return NotFound("Record not found")


@dataclass(frozen=True)
class Changes:
    """What a create or update sets; None leaves a field as it is (or at its default)."""

    title: str | None = None
    replies_policy: str | None = None
    exclusive: bool | None = None


def _policy(value: str) -> RepliesPolicy:
    try:
        return RepliesPolicy(value)
    except ValueError:
        # Rails' enum raises ArgumentError, which Mastodon's lists controller answers with 422
        raise Invalid(f"'{value}' is not a valid replies_policy", field="replies_policy") from None


def _title(value: str) -> str:
    title = value.strip()
    if not title:
        raise Invalid("Validation failed: Title can't be blank", field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(
            f"Validation failed: Title is too long (maximum is {TITLE_MAX} characters)",
            field="title",
        )
    return title


async def owned(owner: models.Actor, list_id: int) -> models.List:
    """The owner's list with this id; anyone else's, or none, is not found."""
    found = await models.List.get_or_none(id=list_id, owner_id=owner.id)
    if found is None:
        raise _missing()
    return found


async def of_owner(owner: models.Actor) -> list[models.List]:
    return list(await models.List.filter(owner_id=owner.id).order_by("id"))


async def containing(owner: models.Actor, member_id: int) -> list[models.List]:
    """The owner's lists that `member_id` belongs to."""
    return list(
        await models.List.filter(owner_id=owner.id, memberships__actor_id=member_id).order_by("id")
    )


def members(lst: models.List) -> QuerySet[models.Actor]:
    """The live accounts on `lst`."""
    return models.Actor.filter(list_memberships__list_id=lst.id, deleted_at=None)


async def create(owner: models.Actor, changes: Changes) -> models.List:
    title = _title(changes.title or "")
    policy = _policy(changes.replies_policy) if changes.replies_policy else RepliesPolicy.LIST
    if await models.List.filter(owner_id=owner.id).count() >= MAX_LISTS:
        raise Invalid("Validation failed: You have reached the maximum number of lists")
    return await models.List.create(
        owner_id=owner.id, title=title, replies_policy=policy, exclusive=bool(changes.exclusive)
    )


async def update(lst: models.List, changes: Changes) -> models.List:
    if changes.title is not None:
        lst.title = _title(changes.title)
    if changes.replies_policy is not None:
        lst.replies_policy = _policy(changes.replies_policy)
    if changes.exclusive is not None:
        lst.exclusive = changes.exclusive
    await lst.save(update_fields=["title", "replies_policy", "exclusive"])
    return lst


async def delete(lst: models.List) -> None:
    await lst.delete()  # its memberships go with it (ON DELETE CASCADE)


async def add(lst: models.List, member_ids: Iterable[int]) -> None:
    """Add every one of the accounts, or none of them."""
    ids = list(dict.fromkeys(member_ids))
    if not ids:
        return
    live = await _ints(models.Actor.filter(id__in=ids, deleted_at=None), "id")
    follows = dict(
        await models.Follow.filter(follower_id=lst.owner_id, target_id__in=ids).values_list(
            "target_id", "id"
        )
    )
    if any(i not in live or (i not in follows and i != lst.owner_id) for i in ids):
        raise _missing()
    if await models.ListAccount.filter(list_id=lst.id, actor_id__in=ids).exists():
        raise Invalid("Validation failed: Account has already been taken", field="account_ids")
    try:
        async with in_transaction():
            for member_id in ids:
                await models.ListAccount.create(
                    list_id=lst.id, actor_id=member_id, follow_id=follows.get(member_id)
                )
    except IntegrityError:
        # a concurrent add of the same account, or the follow ended meanwhile
        if await models.ListAccount.filter(list_id=lst.id, actor_id__in=ids).exists():
            raise Invalid(
                "Validation failed: Account has already been taken", field="account_ids"
            ) from None
        raise _missing() from None


async def remove(lst: models.List, member_ids: Iterable[int]) -> None:
    await models.ListAccount.filter(list_id=lst.id, actor_id__in=list(member_ids)).delete()


# ---- live events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    list_id: int
    owner_id: int
    policy: RepliesPolicy


async def hearing(status: models.Status, hidden: set[int]) -> list[int]:
    """Ids of the lists whose timeline shows `status` (timelines.for_list's rules, applied to one
    status at once); `hidden`: the actors who blocked or muted its author, or whom it blocked."""
    return sorted(list_id for list_id, _owner in await hearing_with_owners(status, hidden))


async def hearing_with_owners(status: models.Status, hidden: set[int]) -> list[tuple[int, int]]:
    """(list id, owner id) of the lists `hearing` names."""
    if status.visibility not in _SHOWN_LEVELS:
        return []
    rows = await models.ListAccount.filter(
        actor_id=status.actor_id, list__owner__domain__isnull=True
    ).values_list("list_id", "list__owner_id", "list__replies_policy", "follow__state")
    candidates = [
        _Candidate(int(list_id), int(owner_id), RepliesPolicy(policy))
        for list_id, owner_id, policy, state in rows
        if int(owner_id) not in hidden
        and (state == FollowState.ACCEPTED or int(owner_id) == status.actor_id)
    ]
    if (
        candidates
        and status.in_reply_to_uri is not None
        and status.in_reply_to_actor_id != status.actor_id
    ):
        candidates = await _showing_reply(status, candidates)
    return [(c.list_id, c.owner_id) for c in candidates]


async def _showing_reply(status: models.Status, candidates: list[_Candidate]) -> list[_Candidate]:
    """The candidates whose replies_policy shows this reply (timelines._replies_shown's rule)."""
    parent_author = status.in_reply_to_actor_id
    if parent_author is None:
        return []
    owners = [c.owner_id for c in candidates if c.policy is RepliesPolicy.FOLLOWED]
    follows = models.Follow.filter(
        follower_id__in=owners, target_id=parent_author, state=FollowState.ACCEPTED
    )
    following = await _ints(follows, "follower_id") if owners else set()
    by_list = [c.list_id for c in candidates if c.policy is RepliesPolicy.LIST]
    parent_lists = models.ListAccount.filter(list_id__in=by_list, actor_id=parent_author)
    with_parent = await _ints(parent_lists, "list_id") if by_list else set()
    return [
        c
        for c in candidates
        if parent_author == c.owner_id
        or (c.policy is RepliesPolicy.FOLLOWED and c.owner_id in following)
        or (c.policy is RepliesPolicy.LIST and c.list_id in with_parent)
    ]


async def _ints(query: QuerySet[Any], column: str) -> set[int]:
    return {int(value) for (value,) in await query.values_list(column)}
