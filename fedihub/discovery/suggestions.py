"""Whom to follow, per local researcher, with the reason in words; computed in the background.

Four signals, each a reason the researcher sees:
- research areas she shares with someone in the directory ("also works on graph neural networks");
- follows of follows ("followed by 3 people you follow");
- her own favourites and replies ("you favourited 4 of their posts");
- words their profiles share, weighted by how rare each word is in the directory (TF-IDF over
  the directory's index: "profile also mentions spectroscopy, catalysis").
Only people who may be found (the directory's rules: opted in, a remote flag that says true) are
suggested; never herself, anyone she follows or asked to follow, blocks, mutes, is blocked by,
or dismissed. Requests only read what `refresh` stored (Mastodon's /api/v2/suggestions).
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.discovery import directory, reading, terms
from fedihub.models import FollowState
from fedihub.runtime import Runtime

KEEP = 40
MAX_FOLLOWED_READ = 500
MAX_SECOND_DEGREE = 20_000
MAX_FAVOURITES_READ = 200
MAX_AREA_ENTRIES = 500
MIN_WORD = 3
REFRESH_BUDGET_S = 120.0
CURSOR_KEY = "suggestions_cursor"

# Mastodon's `sources` for each kind of reason
SOURCES = {
    "areas": "similar_to_recently_followed",
    "similar_profile": "similar_to_recently_followed",
    "followed_by": "friends_of_friends",
    "interactions": "most_interactions",
}
WEIGHTS = {"areas": 3.0, "followed_by": 2.0, "interactions": 1.5, "similar_profile": 0.5}


@dataclass
class Candidate:
    score: float = 0.0
    reasons: list[dict[str, object]] = field(default_factory=list)

    def add(self, kind: str, weight: float, reason: dict[str, object]) -> None:
        self.score += WEIGHTS[kind] * weight
        self.reasons.append({"kind": kind, **reason})


def _ids(values: list[Any]) -> list[int]:
    """Ids read with values_list(flat=True), as ints (None left out)."""
    return [int(v) for v in values if v is not None]


async def _excluded(viewer_id: int) -> set[int]:
    out = {viewer_id}
    for rows in (
        models.Follow.filter(follower_id=viewer_id).values_list("target_id", flat=True),
        models.Block.filter(actor_id=viewer_id).values_list("target_id", flat=True),
        models.Block.filter(target_id=viewer_id).values_list("actor_id", flat=True),
        models.Mute.filter(actor_id=viewer_id).values_list("target_id", flat=True),
        models.SuggestionDismissal.filter(viewer_id=viewer_id).values_list("account_id", flat=True),
    ):
        out.update(_ids(await rows))
    return out


async def _shared_areas(viewer: models.Actor, found: dict[int, Candidate]) -> None:
    shared: dict[int, list[str]] = defaultdict(list)
    for area in [str(a) for a in viewer.research_areas or []][:20]:
        entry_ids = (
            await models.DirectoryTerm.filter(term=terms.area(area))
            .limit(MAX_AREA_ENTRIES)
            .values_list("entry_id", flat=True)
        )
        actor_ids = await models.DirectoryEntry.filter(
            id__in=list(entry_ids), actor_id__not_isnull=True
        ).values_list("actor_id", flat=True)
        for actor_id in _ids(actor_ids):
            shared[actor_id].append(area)
    for actor_id, areas in shared.items():
        text = "also works on " + ", ".join(areas)
        found[actor_id].add("areas", len(areas), {"text": text, "areas": areas})


async def _follows_of_follows(viewer_id: int, found: dict[int, Candidate]) -> None:
    followed = (
        await models.Follow.filter(follower_id=viewer_id, state=FollowState.ACCEPTED)
        .order_by("-id")
        .limit(MAX_FOLLOWED_READ)
        .values_list("target_id", flat=True)
    )
    if not followed:
        return
    pairs = (
        await models.Follow.filter(follower_id__in=list(followed), state=FollowState.ACCEPTED)
        .limit(MAX_SECOND_DEGREE)
        .values_list("target_id", "follower_id")
    )
    by_target: dict[int, set[int]] = defaultdict(set)
    for target, follower in pairs:
        by_target[int(target)].add(int(follower))
    for target, followers in by_target.items():
        n = len(followers)
        text = f"followed by {n} {'person' if n == 1 else 'people'} you follow"
        found[target].add("followed_by", min(n, 5), {"text": text, "count": n})


async def _interactions(viewer_id: int, found: dict[int, Candidate]) -> None:
    favourited = (
        await models.Favourite.filter(actor_id=viewer_id)
        .order_by("-id")
        .limit(MAX_FAVOURITES_READ)
        .values_list("status__actor_id", flat=True)
    )
    replied = (
        await models.Status.filter(actor_id=viewer_id, in_reply_to_id__not_isnull=True)
        .order_by("-id")
        .limit(MAX_FAVOURITES_READ)
        .values_list("in_reply_to__actor_id", flat=True)
    )
    favourites = Counter(int(str(a)) for a in favourited if a is not None)
    replies = Counter(int(str(a)) for a in replied if a is not None)
    for actor_id in set(favourites) | set(replies):
        parts = []
        if favourites[actor_id]:
            n = favourites[actor_id]
            parts.append(f"you favourited {n} of their post{'s' if n > 1 else ''}")
        if replies[actor_id]:
            n = replies[actor_id]
            parts.append(f"you replied to them {n} time{'s' if n > 1 else ''}")
        weight = min(favourites[actor_id] + replies[actor_id], 5)
        found[actor_id].add(
            "interactions",
            weight,
            {
                "text": " and ".join(parts),
                "favourites": favourites[actor_id],
                "replies": replies[actor_id],
            },
        )


async def _similar_profiles(viewer: models.Actor, found: dict[int, Candidate]) -> None:
    """TF-IDF over the directory's word terms: rare words shared by two profiles count most."""
    # her own words (bio, affiliation): shared research areas are a reason of their own
    text = " ".join((viewer.summary or "", viewer.affiliation or ""))
    # words of three letters or more, and Chinese/Japanese/Korean character pairs
    mine = [
        t
        for t in terms.words(directory.plain(text))
        if len(t) - 2 >= MIN_WORD or (len(t) - 2 == 2 and ord(t[2]) >= 0x2E80)
    ]
    total = await models.DirectoryEntry.all().count()
    if not mine or total < 2:
        return
    shared: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for term in mine[:40]:
        entry_ids = (
            await models.DirectoryTerm.filter(term=term)
            .limit(max(2, total // 10) + 1)
            .values_list("entry_id", flat=True)
        )
        if len(entry_ids) > total // 10 and total >= 20:
            continue  # a word one profile in ten uses says nothing
        idf = math.log(total / max(1, len(entry_ids)))
        if idf <= 0:
            continue
        actor_ids = await models.DirectoryEntry.filter(
            id__in=list(entry_ids), actor_id__not_isnull=True
        ).values_list("actor_id", flat=True)
        for actor_id in _ids(actor_ids):
            shared[actor_id].append((idf, term[2:]))
    for actor_id, words in shared.items():
        words.sort(reverse=True)
        top = [w for _, w in words[:3]]
        found[actor_id].add(
            "similar_profile",
            sum(idf for idf, _ in words),
            {"text": "profile also mentions " + ", ".join(top), "words": top},
        )


async def compute(viewer: models.Actor) -> list[models.Suggestion]:
    """Work out and store the viewer's suggestions (replacing the last ones); best first."""
    found: dict[int, Candidate] = defaultdict(Candidate)
    await _shared_areas(viewer, found)
    await _follows_of_follows(viewer.id, found)
    await _interactions(viewer.id, found)
    await _similar_profiles(viewer, found)
    excluded = await _excluded(viewer.id)
    ids = [i for i in found if i not in excluded]
    # only people anyone may find: listed in the directory
    listed = set(
        _ids(
            await models.DirectoryEntry.filter(actor_id__in=ids).values_list("actor_id", flat=True)
        )
    )
    ranked = sorted(
        ((found[i].score, i) for i in ids if i in listed), key=lambda pair: (-pair[0], pair[1])
    )[:KEEP]
    rows = [
        models.Suggestion(
            viewer_id=viewer.id,
            account_id=actor_id,
            score=round(score, 4),
            sources=sorted({SOURCES[str(r["kind"])] for r in found[actor_id].reasons}),
            reasons=found[actor_id].reasons,
        )
        for score, actor_id in ranked
    ]
    async with in_transaction():
        await models.Suggestion.filter(viewer_id=viewer.id).delete()
        await models.Suggestion.bulk_create(rows)
    return rows


async def refresh(rt: Runtime, *, budget_s: float = REFRESH_BUDGET_S) -> int:
    """Recompute suggestions for local users, continuing where the last run stopped, until the
    time budget is spent; how many users were done."""
    mark = await models.NodeSetting.get_or_none(key=CURSOR_KEY)
    after = int(str(mark.value.get("after", 0))) if mark and isinstance(mark.value, dict) else 0
    deadline = time.monotonic() + budget_s
    done = 0
    while time.monotonic() < deadline:
        batch = (
            await models.User.filter(disabled=False, actor_id__gt=after)
            .order_by("actor_id")
            .limit(100)
            .values_list("actor_id", flat=True)
        )
        if not batch:
            after = 0  # a full round is done: the next run starts again
            break
        for actor_id in batch:
            actor = await models.Actor.get_or_none(id=int(str(actor_id)))
            if actor is not None:
                await compute(actor)
                await reading.compute(actor)
                done += 1
            after = int(str(actor_id))
            if time.monotonic() >= deadline:
                break
    await models.NodeSetting.update_or_create(defaults={"value": {"after": after}}, key=CURSOR_KEY)
    return done


async def refresh_task(rt: Runtime) -> None:
    await refresh(rt)


async def dismiss(viewer_id: int, account_id: int) -> None:
    await models.SuggestionDismissal.get_or_create(viewer_id=viewer_id, account_id=account_id)
    await models.Suggestion.filter(viewer_id=viewer_id, account_id=account_id).delete()


async def stored(viewer_id: int, *, limit: int) -> list[models.Suggestion]:
    return list(
        await models.Suggestion.filter(viewer_id=viewer_id, account__deleted_at__isnull=True)
        .order_by("-score", "account_id")
        .limit(limit)
        .prefetch_related("account")
    )
