"""A poll's rows as statuses store them: Mastodon's limits on a new local poll, the Poll row made
with its status, a peer's Question kept as it says, and the counts recomputed from votes.

statuses.py calls this inside its transactions; the rest of a poll's life (votes, their
federation, its end) is polls.py, which imports statuses, never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.functions import Count

from fedihub import models
from fedihub.activitypub import parse
from fedihub.errors import Invalid

# Mastodon's PollValidator (and the configuration its instance API advertises)
MAX_OPTIONS = 4
MAX_OPTION_CHARS = 50
MIN_EXPIRATION_S = 300
MAX_EXPIRATION_S = 2_629_746
# Mastodon's words (polls.errors.*), prefixed with the attribute as its nested validation says it
TOO_FEW = "Poll options must have more than one item"
TOO_MANY = f"Poll options can't contain more than {MAX_OPTIONS} items"
TOO_LONG = f"Poll options cannot be longer than {MAX_OPTION_CHARS} characters each"
DUPLICATES = "Poll options contain duplicate items"
TOO_FAR = "Poll expires at is too far into the future"
TOO_SOON = "Poll expires at is too soon"


@dataclass(frozen=True)
class PollDraft:
    """A poll as its author sent it with a new status."""

    options: tuple[str, ...]
    expires_in: int | None
    multiple: bool = False
    hide_totals: bool = False

    def as_params(self) -> dict[str, Any]:
        """As Mastodon shows it in a scheduled status's `params`."""
        return {
            "options": list(self.options),
            "expires_in": self.expires_in,
            "multiple": self.multiple,
            "hide_totals": self.hide_totals,
        }

    @classmethod
    def from_params(cls, value: Any) -> PollDraft | None:
        if not isinstance(value, dict):
            return None
        options = value.get("options")
        expires = value.get("expires_in")
        return cls(
            options=tuple(str(o) for o in options) if isinstance(options, list) else (),
            expires_in=int(expires) if isinstance(expires, int | str) and expires else None,
            multiple=value.get("multiple") is True,
            hide_totals=value.get("hide_totals") is True,
        )


def check(draft: PollDraft) -> None:
    """Refuse a poll Mastodon refuses, with its words (422)."""
    options = draft.options
    if len(options) <= 1:
        raise Invalid(TOO_FEW, field="poll")
    if len(options) > MAX_OPTIONS:
        raise Invalid(TOO_MANY, field="poll")
    if any(len(option) > MAX_OPTION_CHARS for option in options):
        raise Invalid(TOO_LONG, field="poll")
    if len(set(options)) != len(options):
        raise Invalid(DUPLICATES, field="poll")
    if draft.expires_in is None or draft.expires_in > MAX_EXPIRATION_S:
        raise Invalid(TOO_FAR, field="poll")
    if draft.expires_in < MIN_EXPIRATION_S:
        raise Invalid(TOO_SOON, field="poll")


def clean_options(raw: list[Any]) -> tuple[str, ...]:
    """Options as typed, trimmed, blank ones dropped (Mastodon's Poll#prepare_options)."""
    return tuple(text for text in (str(o).strip() for o in raw) if text)


async def create(status: models.Status, draft: PollDraft, now: datetime) -> models.Poll:
    """The Poll row of a new local status (the caller checked the draft and holds a transaction)."""
    return await models.Poll.create(
        status=status,
        options=list(draft.options),
        tallies=[0] * len(draft.options),
        multiple=draft.multiple,
        hide_totals=draft.hide_totals,
        expires_at=now + timedelta(seconds=draft.expires_in or MIN_EXPIRATION_S),
        voters_count=0,
    )


async def replace(status: models.Status, draft: PollDraft | None, now: datetime) -> None:
    """A local status's poll as an edit leaves it (Mastodon's UpdateStatusService#update_poll!):
    removed without a draft; else its settings taken, and its votes cleared when the options or
    `multiple` changed."""
    poll = await models.Poll.get_or_none(status_id=status.id)
    if draft is None:
        if poll is not None:
            await poll.delete()
        return
    if poll is None:
        await create(status, draft, now)
        return
    if list(draft.options) != poll.options or draft.multiple != poll.multiple:
        await models.PollVote.filter(poll_id=poll.id).delete()
        poll.tallies = [0] * len(draft.options)
        poll.voters_count = 0
    poll.options = list(draft.options)
    poll.multiple = draft.multiple
    poll.hide_totals = draft.hide_totals
    poll.expires_at = now + timedelta(seconds=draft.expires_in or MIN_EXPIRATION_S)
    poll.ended_at = None
    await poll.save()


def expired(poll: models.Poll, now: datetime | None = None) -> bool:
    return poll.expires_at is not None and poll.expires_at <= (now or datetime.now(UTC))


async def store_remote(status: models.Status, question: parse.Question) -> models.Poll:
    """Keep a peer's poll as its Question says: options, counts, end. Votes cast here stay
    recorded (own_votes); a changed set of options starts over, as on Mastodon."""
    end = question.closed or question.end_time
    poll = await models.Poll.get_or_none(status_id=status.id)
    if poll is None:
        return await models.Poll.create(
            status=status,
            options=question.options,
            tallies=question.tallies,
            multiple=question.multiple,
            expires_at=end,
            voters_count=question.voters_count,
        )
    if poll.options != question.options:
        await models.PollVote.filter(poll_id=poll.id).delete()
    poll.options = question.options
    poll.tallies = question.tallies
    poll.multiple = question.multiple
    poll.expires_at = end
    poll.voters_count = question.voters_count
    await poll.save()
    return poll


async def recount(poll: models.Poll) -> models.Poll:
    """A local poll's counts from its votes, counted by the database (two aggregate queries,
    whatever the number of votes), saved."""
    votes = models.PollVote.filter(poll_id=poll.id)
    per_choice = await votes.annotate(n=Count("id")).group_by("choice").values_list("choice", "n")
    tallies = [0] * len(poll.options)
    for choice, count in per_choice:
        if 0 <= int(choice) < len(tallies):
            tallies[int(choice)] = int(count)
    voters: Any = (
        await models.PollVote.filter(poll_id=poll.id)
        .annotate(v=Count("actor_id", distinct=True))
        .first()
        .values_list("v", flat=True)
    )
    poll.tallies = tallies
    poll.voters_count = int(voters or 0)
    await poll.save(update_fields=["tallies", "voters_count"])
    return poll
