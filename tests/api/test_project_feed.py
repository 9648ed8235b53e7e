"""The project feed on the project's node: members post with `audience` set to the project, the
Group redistributes (Announce of the Create to everyone who hears it, a boost of top-level posts),
non-members cannot post, replies thread and are not boosted."""

from __future__ import annotations

import json
from typing import Any

from apikit import bearer, json_of, make_token, make_user, remote_actor

from fedihub import jobs, models
from fedihub.projects import feed as project_feed
from fedihub.web.common import RUNTIME_KEY

P = "/api/fedihub/v1/projects"


async def test_members_post_the_group_redistributes_and_outsiders_cannot(app: Any) -> None:
    client = app.test_client()
    ada, bob, eve = [await make_user(app, n) for n in ("ada", "bob", "eve")]
    ada_token, bob_token, eve_token = [await make_token(u) for u in (ada, bob, eve)]
    project = await json_of(
        await client.post(P, json={"handle": "graphene", "name": "G"}, headers=bearer(ada_token))
    )
    feed = f"{P}/{project['id']}/statuses"
    group = await models.Actor.get(uri=project["uri"])
    # a Mastodon user follows the public project; bob is a member
    fan = await remote_actor(
        "fan", "mastodon.example", shared_inbox="https://mastodon.example/inbox"
    )
    await models.Follow.create(follower=fan, target=group, state=models.FollowState.ACCEPTED)
    invited = await json_of(
        await client.post(
            f"{feed[: -len('/statuses')]}/invitations",
            json={"account": "bob"},
            headers=bearer(ada_token),
        )
    )
    await json_of(
        await client.post(
            f"/api/fedihub/v1/invitations/{invited['id']}/accept", headers=bearer(bob_token)
        )
    )

    # When bob posts to the project
    post = await json_of(
        await client.post(feed, json={"status": "First results"}, headers=bearer(bob_token))
    )

    # Then the request only stored the post and one redistribution job: the fan-out is the job's
    stored = await models.Status.get(id=int(post["id"]))
    group_sent = models.OutboxActivity.filter(actor_id=group.id)
    assert not await group_sent.exists()
    waiting = await models.Job.filter(kind=project_feed.REDISTRIBUTE)
    assert [j.payload["status"] for j in waiting] == [stored.id]
    rt = app.extensions[RUNTIME_KEY]
    assert await jobs.drain(rt, kinds=[project_feed.REDISTRIBUTE]) == 1

    # and, once it ran, the post carries the project as its audience, and the Group shares it
    assert stored.audience_uri == project["uri"]
    listed = await json_of(await client.get(feed))
    assert [s["id"] for s in listed] == [post["id"]]
    boost = await models.Status.get(actor_id=group.id, reblog_of_id=stored.id)
    assert boost.local is True
    home = await json_of(await client.get("/api/v1/timelines/home", headers=bearer(ada_token)))
    assert any(s["reblog"] and s["reblog"]["id"] == post["id"] for s in home)
    sent = [json.loads(row.body) for row in await models.OutboxActivity.filter(actor_id=group.id)]
    wrapped = [a for a in sent if a["type"] == "Announce" and isinstance(a["object"], dict)]
    assert wrapped and wrapped[0]["object"]["type"] == "Create"
    assert wrapped[0]["object"]["object"]["audience"] == project["uri"]
    by_id = [a for a in sent if a["type"] == "Announce" and a["object"] == stored.uri]
    assert by_id, "Mastodon followers get an Announce of the post's id"

    # a redistribution run again (a worker died after its deliveries) sends nothing twice
    deliveries = await models.Job.filter(kind="deliver").count()
    await project_feed.redistribute_job(rt, waiting[0].payload)
    assert await models.OutboxActivity.filter(actor_id=group.id).count() == len(sent)
    assert await models.Job.filter(kind="deliver").count() == deliveries

    # a reply threads, is in the feed, and is not boosted (Mastodon followers see top-level posts)
    reply = await json_of(
        await client.post(
            feed, json={"status": "Nice", "in_reply_to_id": post["id"]}, headers=bearer(ada_token)
        )
    )
    assert reply["in_reply_to_id"] == post["id"]
    await jobs.drain(rt, kinds=[project_feed.REDISTRIBUTE])
    assert not await models.Status.filter(actor_id=group.id, reblog_of_id=int(reply["id"])).exists()
    assert len(await json_of(await client.get(feed))) == 2

    # a non-member cannot post
    refused = await client.post(feed, json={"status": "spam"}, headers=bearer(eve_token))
    assert refused.status_code == 403


async def test_a_members_only_projects_posts_go_to_its_members_alone(app: Any) -> None:
    client = app.test_client()
    ada, eve = [await make_user(app, n) for n in ("ada", "eve")]
    ada_token, eve_token = [await make_token(u) for u in (ada, eve)]
    project = await json_of(
        await client.post(
            P,
            json={"handle": "cohort", "name": "C", "visibility": "members"},
            headers=bearer(ada_token),
        )
    )
    group = await models.Actor.get(uri=project["uri"])
    stored_project = await models.Project.get(actor_id=group.id)
    # a remote member, and a remote follower of ada who is no member
    member = await remote_actor("rem", "lab.example", shared_inbox="https://lab.example/inbox")
    await models.ProjectMember.create(project=stored_project, actor=member)
    fan = await remote_actor("fan", "fans.example", shared_inbox="https://fans.example/inbox")
    ada_actor = await models.Actor.get(id=ada.actor_id)
    await models.Follow.create(follower=fan, target=ada_actor, state=models.FollowState.ACCEPTED)

    # When ada posts to the project
    post = await json_of(
        await client.post(
            f"{P}/{project['id']}/statuses",
            json={"status": "Cohort data"},
            headers=bearer(ada_token),
        )
    )
    await jobs.drain(app.extensions[RUNTIME_KEY], kinds=[project_feed.REDISTRIBUTE])

    # Then it is members-only: addressed to the members collection, sent to the member's node,
    # never boosted, and nothing of it went to ada's follower's node
    stored = await models.Status.get(id=int(post["id"]))
    assert stored.visibility is models.Visibility.MEMBERS and post["visibility"] == "private"
    sent = [json.loads(row.body) for row in await models.OutboxActivity.all()]
    assert sent and all(a["to"] == [stored_project.members_url] and a["cc"] == [] for a in sent)
    assert [a["type"] for a in sent] == ["Announce"]
    assert sent[0]["object"]["object"]["to"] == [stored_project.members_url]
    inboxes = {j.payload["inbox"] for j in await models.Job.filter(kind="deliver")}
    assert inboxes == {"https://lab.example/inbox"}
    assert not await models.Status.filter(reblog_of_id=stored.id).exists()

    # and a non-member neither reads it nor finds it in the public timeline
    hidden = await client.get(f"/api/v1/statuses/{post['id']}", headers=bearer(eve_token))
    assert hidden.status_code == 404
    public = await json_of(await client.get("/api/v1/timelines/public"))
    assert all(s["id"] != post["id"] for s in public)
    shown = await json_of(
        await client.get(f"/api/v1/statuses/{post['id']}", headers=bearer(ada_token))
    )
    assert shown["content"]

    # its deletion goes where it went: the members' nodes, addressed to the members collection
    await json_of(await client.delete(f"/api/v1/statuses/{post['id']}", headers=bearer(ada_token)))
    deleted = [
        a
        for a in (json.loads(r.body) for r in await models.OutboxActivity.all())
        if a["type"] == "Delete"
    ]
    assert [a["to"] for a in deleted] == [[stored_project.members_url]]
    inboxes = {j.payload["inbox"] for j in await models.Job.filter(kind="deliver")}
    assert inboxes == {"https://lab.example/inbox"}
