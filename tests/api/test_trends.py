"""Trends: hashtags and statuses scored by the periodic refresh (social/trends.py), stored, and read
by /api/v1/trends/* as Mastodon answers them; on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from apikit import bearer, make_token, make_user, remote_actor
from test_entity_shapes import check

from fedihub import jobs, models
from fedihub.ids import new_id
from fedihub.jobs import periodic
from fedihub.models import Visibility
from fedihub.social import trends
from fedihub.web.common import RUNTIME_KEY

# a fixed "now", so the history's days are known: 2025-06-18 15:00 UTC, that day starting at
NOW = datetime(2025, 6, 18, 15, 0, tzinfo=UTC)
TODAY = 1750204800
DAY_S = 86400


async def _people(prefix: str, count: int) -> list[models.Actor]:
    return [await remote_actor(f"{prefix}{n}", "peer.example") for n in range(count)]


async def _post(
    author: models.Actor,
    at: datetime,
    *tags: str,
    visibility: Visibility = Visibility.PUBLIC,
    **kw: Any,
) -> models.Status:
    # ids carry the publication time, as statuses stored from peers do
    sid = new_id(int(at.timestamp() * 1000))
    status = await models.Status.create(
        id=sid,
        uri=f"{author.uri}/statuses/{sid}",
        actor=author,
        published=at,
        visibility=visibility,
        content="<p>" + " ".join(f"#{t}" for t in tags) + "</p>",
        **kw,
    )
    for name in tags:
        await models.StatusTag.create(status=status, name=name)
    return status


async def _interact(
    status: models.Status, favourites: list[models.Actor], boosts: list[models.Actor] | None = None
) -> None:
    for actor in favourites:
        await models.Favourite.create(actor=actor, status=status)
    for actor in boosts or []:
        await models.Status.create(
            uri=f"{actor.uri}/boosts/{status.id}",
            actor=actor,
            object_type="Announce",
            reblog_of=status,
            published=datetime.now(UTC),
        )


async def _refresh_jobs() -> list[tuple[str, models.JobState]]:
    rows = models.Job.filter(kind=periodic.KIND, dedupe_key__startswith="periodic:refresh_trends:")
    return list(await rows.values_list("dedupe_key", "state"))


async def _get(client: Any, path: str, headers: dict[str, str] | None = None) -> Any:
    response = await client.get(path, headers=headers or {})
    assert response.status_code == 200, await response.get_data()
    return response


async def _tag_names(client: Any, query: str = "") -> list[str]:
    return [t["name"] for t in await (await _get(client, f"/api/v1/trends/tags{query}")).get_json()]


async def _status_ids(client: Any, headers: dict[str, str] | None = None) -> list[str]:
    return [
        s["id"] for s in await (await _get(client, "/api/v1/trends/statuses", headers)).get_json()
    ]


async def test_tags_used_by_several_accounts_trend_above_one_account_posting_many_times(
    client: Any,
) -> None:
    # Given: four accounts used #openscience in the last day (one of them twice, one yesterday
    # evening) after one use three days ago; six used #rising today after two a day before
    a, b, c, d, e = await _people("open", 5)
    for author, at in (
        (a, NOW - timedelta(hours=1)),
        (b, NOW - timedelta(hours=1)),
        (c, NOW - timedelta(hours=2)),
        (c, NOW - timedelta(hours=3)),
        (d, NOW - timedelta(hours=20)),
        (e, NOW - timedelta(days=3, hours=1)),
    ):
        await _post(author, at, "openscience")
    risers = await _people("rise", 6)
    for author in risers:
        await _post(author, NOW - timedelta(hours=4), "rising")
    for days_back in range(1, 7):
        for author in risers[:2]:
            await _post(author, NOW - timedelta(days=days_back, hours=4), "rising")
    # one account posting a tag thirty times, and three posting a tag every day as usual
    spammer = await remote_actor("spammer", "peer.example")
    for n in range(30):
        await _post(spammer, NOW - timedelta(minutes=10 + n), "buyfollowers")
    regulars = await _people("steady", 3)
    for days_back in range(7):
        for author in regulars:
            await _post(author, NOW - timedelta(days=days_back, hours=5), "coffee")

    # When
    await trends.refresh(NOW)

    # Then: #openscience scores (4 - 1)² / 1 = 9, #rising (6 - 2)² / 2 = 8; the others not at all
    body = await (await _get(client, "/api/v1/trends/tags")).get_json()
    assert [t["name"] for t in body] == ["openscience", "rising"]
    for entity in body:
        check("Tag", entity)
        assert "following" not in entity  # Mastodon adds it for a signed-in user only
    history = body[0]["history"]
    assert [h["day"] for h in history] == [str(TODAY - n * DAY_S) for n in range(7)]
    assert [(h["uses"], h["accounts"]) for h in history] == [
        ("4", "3"),
        ("1", "1"),
        ("0", "0"),
        ("1", "1"),
        ("0", "0"),
        ("0", "0"),
        ("0", "0"),
    ]
    assert [(h["uses"], h["accounts"]) for h in body[1]["history"]] == [("6", "6")] + [
        ("2", "2")
    ] * 6
    assert body[0]["url"].endswith("/tags/openscience")
    assert body[0]["id"] != body[1]["id"]


async def test_only_public_statuses_count_never_unlisted_private_direct_or_institution(
    client: Any,
) -> None:
    # Given: #secret used by accounts at every non-public level, and a deleted public use; a
    # private status interacted with by many
    hidden = [Visibility.UNLISTED, Visibility.PRIVATE, Visibility.DIRECT, Visibility.INSTITUTION]
    people = await _people("p", 8)
    for n, level in enumerate(hidden * 2):
        await _post(people[n], NOW - timedelta(hours=1), "secret", visibility=level)
    public_ones = await _people("pub", 2)
    for author in public_ones:
        await _post(author, NOW - timedelta(hours=1), "secret")
    await _post(
        await remote_actor("gone", "peer.example"),
        NOW - timedelta(hours=1),
        "secret",
        deleted_at=NOW - timedelta(minutes=5),
    )
    for level in hidden:
        status = await _post(public_ones[0], NOW - timedelta(hours=2), visibility=level)
        await _interact(status, people[:6], people[6:])

    # When
    await trends.refresh(NOW)

    # Then: two public accounts are below the three needed, and nothing else counted
    assert await _tag_names(client) == []
    assert await _status_ids(client) == []
    history = trends.histories(["secret"], NOW)
    assert (await history)["secret"][0] == {"day": str(TODAY), "uses": "2", "accounts": "2"}


async def test_statuses_trend_by_favourites_and_boosts_from_others(client: Any) -> None:
    author = await remote_actor("author", "peer.example")
    fans = await _people("fan", 6)
    most = await _post(author, NOW - timedelta(hours=3))
    await _interact(most, fans[:5])
    second = await _post(author, NOW - timedelta(hours=2))
    await _interact(second, fans[:3], fans[3:4])  # 3 favourites + 1 boost
    too_few = await _post(author, NOW - timedelta(hours=1))
    await _interact(too_few, [author, *fans[:2]], [author])  # the author's own count for nothing
    # popular, but not eligible: a reply, a sensitive one, an old one, one whose author opted out
    reply = await _post(author, NOW - timedelta(hours=1), in_reply_to_uri="https://x.example/1")
    sensitive = await _post(author, NOW - timedelta(hours=1), sensitive=True)
    old = await _post(author, NOW - timedelta(days=1, hours=1))
    shy = await _post(
        await remote_actor("shy", "peer.example", discoverable=False), NOW - timedelta(hours=1)
    )
    for status in (reply, sensitive, old, shy):
        await _interact(status, fans)

    await trends.refresh(NOW)

    body = await (await _get(client, "/api/v1/trends/statuses")).get_json()
    assert [s["id"] for s in body] == [str(most.id), str(second.id)]
    for entity in body:
        check("Status", entity)


async def test_a_status_deleted_or_hidden_from_the_viewer_leaves_the_stored_list(
    client: Any,
) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    fans = await _people("fan", 3)
    blocked_author = await remote_actor("troll", "peer.example")
    kept = await _post(await remote_actor("kind", "peer.example"), NOW - timedelta(hours=1))
    blocked = await _post(blocked_author, NOW - timedelta(hours=2))
    deleted = await _post(blocked_author, NOW - timedelta(hours=3))
    for status in (kept, blocked, deleted):
        await _interact(status, fans)
    await trends.refresh(NOW)
    assert await _status_ids(client) == [str(kept.id), str(blocked.id), str(deleted.id)]

    await models.Status.filter(id=deleted.id).update(deleted_at=datetime.now(UTC))
    await models.Block.create(actor=ada.actor, target=blocked_author)

    assert await _status_ids(client) == [str(kept.id), str(blocked.id)]
    assert await _status_ids(client, bearer(token)) == [str(kept.id)]


async def test_the_periodic_task_computes_once_a_period_and_the_api_answers_what_was_stored(
    client: Any,
) -> None:
    rt = client.app.extensions[RUNTIME_KEY]
    # Given: a local post with a tag three local accounts use too, favourited and boosted by them
    ada = await make_user(client.app, "ada")
    ada_token = await make_token(ada)
    posted = await (
        await client.post(
            "/api/v1/statuses", json={"status": "Data is out #OpenData"}, headers=bearer(ada_token)
        )
    ).get_json()
    for name in ("bob", "cyd", "dan"):
        token = await make_token(await make_user(client.app, name))
        assert (
            await client.post(
                "/api/v1/statuses", json={"status": f"{name} on #opendata"}, headers=bearer(token)
            )
        ).status_code == 200
        action = "reblog" if name == "dan" else "favourite"
        assert (
            await client.post(f"/api/v1/statuses/{posted['id']}/{action}", headers=bearer(token))
        ).status_code == 200
    (every,) = [t.every_s for t in rt.wiring.periodic_tasks if t.name == "refresh_trends"]
    period = int(time.time() // every)
    now = period * every + 1.0  # the ticks below stay in this period whenever the test runs

    # When: two workers tick in the same period, and the jobs run
    await periodic.tick(rt, now)
    await periodic.tick(rt, now + 1)
    await jobs.drain(rt)

    # Then: one refresh ran, and anyone reads its lists without a token
    assert await _refresh_jobs() == [(f"periodic:refresh_trends:{period}", models.JobState.DONE)]
    assert await _tag_names(client) == ["opendata"]
    assert await _status_ids(client) == [posted["id"]]
    stored_at = {row.computed_at for row in await models.TrendingTag.all()}

    # When: another status takes off, but the period's refresh already ran
    later = await _post(
        await remote_actor("newcomer", "peer.example"),
        datetime.now(UTC) - timedelta(minutes=1),
        "later",
    )
    await _interact(later, await _people("fan", 4))
    for author in await _people("tagger", 3):
        await _post(author, datetime.now(UTC) - timedelta(minutes=1), "later")
    await periodic.tick(rt, now + 60)
    await jobs.drain(rt)
    assert len(await _refresh_jobs()) == 1

    # Then: the API still answers the stored lists, until the next period's refresh
    assert await _tag_names(client) == ["opendata"]
    assert await _status_ids(client) == [posted["id"]]
    assert {row.computed_at for row in await models.TrendingTag.all()} == stored_at
    await periodic.tick(rt, now + every)
    await jobs.drain(rt)
    assert set(await _tag_names(client)) == {"opendata", "later"}
    assert await _status_ids(client) == [str(later.id), posted["id"]]


async def test_a_refresh_repeated_on_the_same_data_stores_the_same_lists(client: Any) -> None:
    for author in await _people("u", 3):
        await _post(author, NOW - timedelta(hours=1), "same")
    assert await trends.refresh(NOW) == (1, 0)
    first = await (await _get(client, "/api/v1/trends/tags")).get_json()
    assert await trends.refresh(NOW) == (1, 0)
    assert await (await _get(client, "/api/v1/trends/tags")).get_json() == first
    assert await models.TrendingTag.all().count() == 1


async def test_limit_and_offset_page_with_mastodons_link_header(client: Any) -> None:
    await models.TrendingTag.bulk_create(
        [
            models.TrendingTag(
                name=f"tag{n:02}", rank=n, score=100.0 - n, history=[], computed_at=NOW
            )
            for n in range(25)
        ]
    )
    author = await remote_actor("author", "peer.example")
    posts = [await _post(author, NOW - timedelta(minutes=n)) for n in range(45)]
    await models.TrendingStatus.bulk_create(
        [
            models.TrendingStatus(status=s, rank=n, score=100.0 - n, computed_at=NOW)
            for n, s in enumerate(posts)
        ]
    )

    first = await _get(client, "/api/v1/trends/tags")
    assert [t["name"] for t in await first.get_json()] == [f"tag{n:02}" for n in range(10)]
    assert first.headers["Link"].endswith('/api/v1/trends/tags?offset=10>; rel="next"')
    assert len(await _tag_names(client, "?limit=50")) == 20  # Mastodon's maximum
    last = await _get(client, "/api/v1/trends/tags?limit=10&offset=20")
    assert [t["name"] for t in await last.get_json()] == [f"tag{n:02}" for n in range(20, 25)]
    assert last.headers["Link"].endswith('/api/v1/trends/tags?limit=10&offset=10>; rel="prev"')
    assert await _tag_names(client, "?offset=30") == []
    assert await (await _get(client, "/api/v1/trends")).get_json() == await first.get_json()

    statuses = await (await _get(client, "/api/v1/trends/statuses")).get_json()
    assert [s["id"] for s in statuses] == [str(p.id) for p in posts[:20]]
    page = await (await _get(client, "/api/v1/trends/statuses?limit=100&offset=5")).get_json()
    assert [s["id"] for s in page] == [str(p.id) for p in posts[5:45]]
    assert (await client.get("/api/v1/trends/tags?limit=many")).status_code == 422


async def test_anyone_reads_trends_and_a_signed_in_user_sees_mastodons_extra_fields(
    client: Any,
) -> None:
    for author in await _people("u", 3):
        await _post(author, NOW - timedelta(hours=1), "open")
    await trends.refresh(NOW)
    ada = await make_user(client.app, "ada")
    token = await make_token(ada, "read")
    anonymous = await (await _get(client, "/api/v1/trends/tags")).get_json()
    signed_in = await (await _get(client, "/api/v1/trends/tags", bearer(token))).get_json()
    assert signed_in[0]["following"] is False and signed_in[0]["featuring"] is False
    check("Tag", signed_in[0])
    assert {
        k: v for k, v in signed_in[0].items() if k not in ("following", "featuring")
    } == anonymous[0]
    assert await (await _get(client, "/api/v1/trends/links")).get_json() == []
    assert (
        await client.get("/api/v1/trends/tags", headers=bearer("not-a-token"))
    ).status_code == 401
