"""Entity builders make a constant number of queries, whatever the number of rows (no N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from apikit import make_user, remote_actor
from tortoise import connections

from fedihub import models
from fedihub.api.entities.relationship import relationships
from fedihub.models import FollowState


class QueryCounter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        conn = connections.get("default")
        for name in ("execute_query", "execute_query_dict", "execute_insert", "execute_many"):
            original = getattr(conn, name, None)
            if original is None:
                continue

            async def counted(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                self.count += 1
                return await _original(*args, **kwargs)

            monkeypatch.setattr(conn, name, counted)


async def _queries_for(monkeypatch: pytest.MonkeyPatch, viewer: int, ids: list[int]) -> int:
    with monkeypatch.context() as patch:
        counter = QueryCounter(patch)
        result = await relationships(viewer, ids)
    assert len(result) == len(ids)
    return counter.count


async def test_relationships_cost_the_same_for_2_or_20_accounts(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await make_user(app, "ada")
    others = [await remote_actor(f"r{i}", "x.example") for i in range(20)]
    for other in others[::2]:
        await models.Follow.create(follower=ada.actor, target=other, state=FollowState.ACCEPTED)
        await models.Mute.create(actor_id=ada.actor.id, target_id=other.id)
    small = await _queries_for(monkeypatch, ada.actor.id, [o.id for o in others[:2]])
    large = await _queries_for(monkeypatch, ada.actor.id, [o.id for o in others])
    assert small == large > 0


async def test_followers_page_costs_the_same_for_2_or_20_followers(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await make_user(client.app, "ada")
    bob = await make_user(client.app, "bob")
    for i in range(20):
        fan = await remote_actor(f"f{i}", "x.example")
        await models.Follow.create(follower=fan, target=ada.actor, state=FollowState.ACCEPTED)
        if i < 2:
            await models.Follow.create(follower=fan, target=bob.actor, state=FollowState.ACCEPTED)
    counts = []
    for target in (bob, ada):
        with monkeypatch.context() as patch:
            counter = QueryCounter(patch)
            response = await client.get(f"/api/v1/accounts/{target.actor.id}/followers")
        assert response.status_code == 200
        counts.append((len(await response.get_json()), counter.count))
    assert counts[0][0] == 2 and counts[1][0] == 20
    assert counts[0][1] == counts[1][1] > 0


async def test_a_home_page_of_boosts_and_private_statuses_costs_the_same_for_2_or_20(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # who may see what (a boost's original too) is decided for the whole page at once
    from datetime import UTC, datetime

    from apikit import bearer, make_token

    from fedihub.models import Visibility

    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    authors = [await remote_actor(f"r{i}", "x.example") for i in range(20)]
    for author in authors:
        await models.Follow.create(follower=ada.actor, target=author, state=FollowState.ACCEPTED)
    levels = [Visibility.PUBLIC, Visibility.PRIVATE, Visibility.UNLISTED]
    await client.get("/api/v1/timelines/home", headers=bearer(token))  # the token's first use
    counts = []
    for size in (2, 20):
        await models.Status.all().delete()
        for i, author in enumerate(authors[:size]):
            original = await models.Status.create(
                uri=f"{author.uri}/s/{size}/{i}",
                actor=authors[-1 - i],
                visibility=levels[i % 3],
                content=f"<p>{i}</p>",
                published=datetime.now(UTC),
            )
            await models.Mention.create(status=original, actor=ada.actor)
            await models.Status.create(
                uri=f"{author.uri}/b/{size}/{i}",
                actor=author,
                object_type="Announce",
                visibility=levels[i % 3],
                reblog_of=original,
                published=datetime.now(UTC),
            )
        with monkeypatch.context() as patch:
            counter = QueryCounter(patch)
            response = await client.get("/api/v1/timelines/home?limit=40", headers=bearer(token))
        assert response.status_code == 200
        body = await response.get_json()
        assert len(body) == 2 * size  # every original mentions ada: all of it is hers to see
        counts.append(counter.count)
    assert counts[0] == counts[1] > 0


async def test_a_threads_context_costs_the_same_for_2_or_20_replies(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each generation of replies is checked at once, not one status at a time
    from datetime import UTC, datetime

    from apikit import bearer, make_token

    from fedihub.models import Visibility

    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    await client.get("/api/v1/timelines/home", headers=bearer(token))  # the token's first use
    repliers = [await remote_actor(f"r{i}", "x.example") for i in range(20)]
    counts = []
    for size in (2, 20):
        root = await models.Status.create(
            uri=f"https://fedihub.test/s/{size}",
            actor=ada.actor,
            local=True,
            visibility=Visibility.PRIVATE,
            published=datetime.now(UTC),
        )
        for i, replier in enumerate(repliers[:size]):
            await models.Follow.create(
                follower=ada.actor, target=replier, state=FollowState.ACCEPTED
            )
            await models.Status.create(
                uri=f"{replier.uri}/s/{size}/{i}",
                actor=replier,
                visibility=Visibility.PRIVATE,
                in_reply_to=root,
                published=datetime.now(UTC),
            )
        with monkeypatch.context() as patch:
            counter = QueryCounter(patch)
            response = await client.get(
                f"/api/v1/statuses/{root.id}/context", headers=bearer(token)
            )
        assert response.status_code == 200
        assert len((await response.get_json())["descendants"]) == size
        counts.append(counter.count)
        await models.Follow.all().delete()
    assert counts[0] == counts[1] > 0
