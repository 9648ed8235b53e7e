"""Project pages: create and edit a project, invite and accept on the page, join requests, the
feed with its composer, the tasks board and its moves, the progress chart as inline SVG; who may
do what (a non-member, a non-maintainer), a members-only project hidden, and bad input given back
in its form with the field named."""

from __future__ import annotations

import re
from typing import Any

from pagekit import make_user, page_token, sign_in

from fedihub import models
from fedihub.models import InvitationState, TaskStatus


async def _signed_in(app: Any, name: str) -> Any:
    client = app.test_client()
    await sign_in(client, name)
    return client


async def _create(client: Any, handle: str = "graphene", **form: str) -> str:
    token = await page_token(client, "/projects/new")
    fields = {
        "handle": handle,
        "name": "Graphene lab",
        "description": "Measuring graphene",
        "tags": "physics, 材料",
        "visibility": "public",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "repositories": "https://git.example/graphene",
        **form,
    }
    made = await client.post("/projects/new", form={"csrf_token": token, **fields})
    assert made.status_code == 303, await made.get_data(as_text=True)
    return str(made.headers["Location"])


async def _submit(client: Any, token_page: str, path: str, **form: Any) -> Any:
    token = await page_token(client, token_page)
    return await client.post(path, form={"csrf_token": token, **form})


async def _text(client: Any, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return str(await response.get_data(as_text=True))


async def test_create_edit_and_find_a_project(app: Any) -> None:
    await make_user(app, "ada")
    ada = await _signed_in(app, "ada")
    path = await _create(ada)
    assert path == "/projects/graphene"
    page = await _text(ada, path)
    assert "Graphene lab" in page and "#材料" in page and "https://git.example/graphene" in page
    assert 'action="/projects/graphene/posts"' in page  # the composer, for members

    edited = await _submit(
        ada,
        f"{path}/edit",
        f"{path}/edit",
        name="Graphene and friends",
        description="More",
        tags="physics",
        visibility="public",
        start_date="",
        end_date="",
        repositories="",
    )
    assert edited.status_code == 303
    project = await models.Project.get(name="Graphene and friends")
    assert project.tags == ["physics"] and project.start_date is None

    listed = await _text(ada, "/projects?q=friends")
    assert 'href="/projects/graphene"' in listed
    assert "Graphene and friends" in await _text(ada, "/projects?tag=physics")
    assert "Graphene and friends" not in await _text(ada, "/projects?tag=biology")
    assert "Graphene and friends" in await _text(ada, "/projects?mine=1")
    await make_user(app, "bob")
    bob = await _signed_in(app, "bob")
    assert "Graphene and friends" not in await _text(bob, "/projects?mine=1")
    # the front page shows the node's projects to visitors
    assert 'href="/projects/graphene"' in await _text(app.test_client(), "/")


async def test_bad_input_gives_the_form_back_with_the_field_named(app: Any) -> None:
    await make_user(app, "ada")
    ada = await _signed_in(app, "ada")
    refused = await _submit(
        ada,
        "/projects/new",
        "/projects/new",
        handle="lab",
        name="Kept name",
        start_date="2026-05-01",
        end_date="2026-01-01",
        visibility="public",
    )
    page = await refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'role="alert"' in page
    assert "End date" in page and 'value="Kept name"' in page
    assert not await models.Project.exists()
    blank = await _submit(ada, "/projects/new", "/projects/new", handle="", name="x")
    assert blank.status_code == 422 and "Handle" in await blank.get_data(as_text=True)

    path = await _create(ada)
    bad_task = await _submit(ada, f"{path}/tasks/new", f"{path}/tasks/new", title="", due="x")
    assert bad_task.status_code == 422 and 'role="alert"' in await bad_task.get_data(as_text=True)
    bad_invite = await _submit(ada, f"{path}/invite", f"{path}/invite", account="", role="member")
    text = await bad_invite.get_data(as_text=True)
    assert bad_invite.status_code == 422 and "Account" in text
    unknown = await _submit(ada, f"{path}/invite", f"{path}/invite", account="ghost")
    text = await unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and "Account: no such account" in text


async def test_invite_accept_on_the_page_and_join_requests(app: Any) -> None:
    await make_user(app, "ada")
    await make_user(app, "bob")
    await make_user(app, "cyd")
    ada = await _signed_in(app, "ada")
    path = await _create(ada)

    sent = await _submit(
        ada, f"{path}/invite", f"{path}/invite", account="bob", role="maintainer", message="Hi"
    )
    assert sent.status_code == 303
    again = await _submit(ada, f"{path}/invite", f"{path}/invite", account="bob", role="member")
    assert again.status_code == 409  # a pending invitation already
    invitation = await models.ProjectInvitation.get(invitee__username="bob")

    bob = await _signed_in(app, "bob")
    listed = await _text(bob, "/invitations")
    assert "Graphene lab" in listed and "Hi" in listed
    assert 'Projects <span class="badge">1</span>' in listed  # the navigation tells her
    # nobody but the invitee answers it
    cyd = await _signed_in(app, "cyd")
    stolen = await _submit(cyd, "/invitations", f"/invitations/{invitation.id}/accept")
    assert stolen.status_code == 404
    accepted = await _submit(bob, "/invitations", f"/invitations/{invitation.id}/accept")
    assert accepted.status_code == 303 and accepted.headers["Location"] == path
    await invitation.refresh_from_db()
    assert invitation.state is InvitationState.ACCEPTED
    assert "Maintainer" in await _text(bob, path)
    answered = await _text(bob, "/invitations")
    assert "Graphene lab" not in answered.split("Earlier")[0] and 'class="badge"' not in answered

    # cyd asks to join; bob (a maintainer now) accepts her
    asked = await _submit(cyd, path, f"{path}/join")
    assert asked.status_code == 303
    assert "waiting for a maintainer" in await _text(cyd, path)
    assert "@cyd" in (await _text(bob, path)).split('id="requests"')[1]
    cyd_actor = await models.Actor.get(username="cyd", domain=None)
    authorised = await _submit(bob, path, f"{path}/requests/{cyd_actor.id}/authorize")
    assert authorised.status_code == 303
    assert await models.ProjectMember.filter(actor_id=cyd_actor.id).exists()
    left = await _submit(cyd, path, f"{path}/leave")
    assert left.status_code == 303
    assert not await models.ProjectMember.filter(actor_id=cyd_actor.id).exists()


async def test_a_remote_projects_invitation_is_answered_on_the_page(app: Any) -> None:
    user = await make_user(app, "bob")
    group = await models.Actor.create(
        uri="https://far.example/projects/optics",
        username="optics",
        domain="far.example",
        actor_type="Group",
        display_name="Optics group",
        inbox="https://far.example/projects/optics/inbox",
    )
    inviter = await models.Actor.create(
        uri="https://far.example/users/eve",
        username="eve",
        domain="far.example",
        inbox="https://far.example/users/eve/inbox",
    )
    project = await models.Project.create(actor=group, local=False, name="Optics group")
    row = await models.ProjectInvitation.create(
        uri="https://far.example/projects/optics/invite/1",
        project=project,
        invitee_id=user.actor_id,
        inviter=inviter,
    )
    bob = await _signed_in(app, "bob")
    listed = await _text(bob, "/invitations")
    assert "Optics group" in listed and 'href="/projects/optics@far.example"' in listed
    declined = await _submit(bob, "/invitations", f"/invitations/{row.id}/reject")
    assert declined.status_code == 303 and declined.headers["Location"] == "/invitations"
    await row.refresh_from_db()
    assert row.state is InvitationState.REJECTED
    assert "Optics group" in await _text(bob, "/projects/optics@far.example")


async def test_tasks_board_moves_and_progress_chart(app: Any) -> None:
    await make_user(app, "ada")
    ada = await _signed_in(app, "ada")
    path = await _create(ada)
    page = await _text(ada, path)
    assert "No tasks yet" in page and "<svg" not in page
    ada_actor = await models.Actor.get(username="ada", domain=None)

    made = await _submit(
        ada,
        f"{path}/tasks/new",
        f"{path}/tasks/new",
        title="Measure resistance",
        description="Four-probe",
        assignee=str(ada_actor.id),
        status="open",
        due="2026-03-01",
        progress="",
    )
    assert made.status_code == 303
    task_path = made.headers["Location"]
    await _submit(ada, f"{path}/tasks/new", f"{path}/tasks/new", title="Write paper")
    task = await models.ProjectTask.get(title="Measure resistance")
    assert "Four-probe" in await _text(ada, task_path)

    board = await _text(ada, path)
    open_column = board.split('id="column-open"')[1].split('id="column-in_progress"')[0]
    assert "Measure resistance" in open_column
    moved = await _submit(ada, path, f"{path}/tasks/{task.id}/status", status="in_progress")
    assert moved.status_code == 303
    board = await _text(ada, path)
    column = board.split('id="column-in_progress"')[1].split('id="column-done"')[0]
    assert "Measure resistance" in column
    await _submit(ada, path, f"{path}/tasks/{task.id}/status", status="done")
    await task.refresh_from_db()
    assert task.status is TaskStatus.DONE

    page = await _text(ada, path)
    assert page.count("<svg") == 2 and 'class="chart-done"' in page and "<polyline" in page
    assert "1 of 2 tasks done (50%)" in page
    assert "style=" not in page.split('id="progress"')[1] and "<script" not in page

    edited = await _submit(
        ada,
        f"{task_path}/edit",
        f"{task_path}/edit",
        title="Measure resistance twice",
        status="done",
        assignee="",
        progress="100",
    )
    assert edited.status_code == 303
    await task.refresh_from_db()
    assert task.title == "Measure resistance twice" and task.assignee_id is None
    bad_status = await _submit(ada, path, f"{path}/tasks/{task.id}/status", status="lost")
    assert bad_status.status_code == 422


async def test_members_comment_on_a_task(app: Any) -> None:
    await make_user(app, "ada")
    await make_user(app, "bob")
    ada = await _signed_in(app, "ada")
    path = await _create(ada)
    made = await _submit(ada, f"{path}/tasks/new", f"{path}/tasks/new", title="Calibrate")
    task_path = made.headers["Location"]
    said = await _submit(ada, task_path, f"{task_path}/comments", text="Done by Friday?")
    assert said.status_code == 303 and "#comment-" in said.headers["Location"]
    assert "Done by Friday?" in await _text(app.test_client(), task_path)
    empty = await _submit(ada, task_path, f"{task_path}/comments", text="  ")
    page = await empty.get_data(as_text=True)
    assert empty.status_code == 422 and 'role="alert"' in page and "Text" in page
    bob = await _signed_in(app, "bob")
    assert 'name="text"' not in await _text(bob, task_path)
    refused = await _submit(bob, task_path, f"{task_path}/comments", text="let me in")
    assert refused.status_code == 403
    task = await models.ProjectTask.get(title="Calibrate")
    assert await models.Status.filter(in_reply_to_uri=task.uri).count() == 1


async def test_outsiders_and_members_have_only_their_rights(app: Any) -> None:
    await make_user(app, "ada")
    await make_user(app, "bob")
    ada = await _signed_in(app, "ada")
    path = await _create(ada)
    secret = await _create(ada, handle="secret", name="Secret lab", visibility="members")
    await _submit(ada, f"{path}/tasks/new", f"{path}/tasks/new", title="Calibrate")
    task = await models.ProjectTask.get(title="Calibrate")

    bob = await _signed_in(app, "bob")
    anonymous = app.test_client()
    # a members-only project is nothing to outsiders, as in the API
    for client in (bob, anonymous):
        assert (await client.get(secret)).status_code == 404
        assert "Secret lab" not in await _text(client, "/projects")
    # a non-member sees a public project but changes nothing in it
    assert (await bob.get(f"{path}/tasks/new")).status_code == 403
    assert (await bob.get(f"{path}/edit")).status_code == 403
    assert (await bob.get(f"{path}/invite")).status_code == 403
    moved = await _submit(bob, path, f"{path}/tasks/{task.id}/status", status="done")
    assert moved.status_code == 403
    posted = await _submit(bob, path, f"{path}/posts", status="hello")
    assert posted.status_code == 403
    assert 'action="/projects/graphene/posts"' not in await _text(bob, path)
    # without the CSRF token nothing happens
    assert (
        await ada.post(f"{path}/tasks/{task.id}/status", form={"status": "done"})
    ).status_code == 403
    # a member who is no maintainer may work on tasks, not edit or invite
    bob_actor = await models.Actor.get(username="bob", domain=None)
    project = await models.Project.get(name="Graphene lab")
    await models.ProjectMember.create(project=project, actor=bob_actor, role="member")
    assert (await bob.get(f"{path}/edit")).status_code == 403
    invite = await _submit(bob, path, f"{path}/invite", account="ada")
    assert invite.status_code == 403
    moved = await _submit(bob, path, f"{path}/tasks/{task.id}/status", status="done")
    assert moved.status_code == 303
    # signed out: the forms send to the sign-in page
    response = await anonymous.get("/projects/new")
    assert response.status_code in (302, 303) and "/auth/sign_in" in response.headers["Location"]


async def test_members_post_to_the_feed(app: Any) -> None:
    await make_user(app, "ada")
    ada = await _signed_in(app, "ada")
    path = await _create(ada)
    posted = await _submit(ada, path, f"{path}/posts", status="First results are in")
    assert posted.status_code == 303
    page = await _text(ada, path)
    feed = page.split('id="feed"')[1]
    assert "First results are in" in feed
    empty = await _submit(ada, path, f"{path}/posts", status="")
    assert empty.status_code == 422 and 'role="alert"' in await empty.get_data(as_text=True)


async def test_project_pages_speak_chinese(app: Any) -> None:
    await make_user(app, "ada", locale="zh")
    ada = await _signed_in(app, "ada")
    path = await _create(ada)
    page = await _text(ada, path)
    assert re.search(r"<html lang=\"zh", page)
    assert "任务" in page and "成员" in page
    refused = await _submit(ada, "/projects/new", "/projects/new", handle="x2", name="   ")
    assert refused.status_code == 422
    assert "名称：名称须为 1 到 255 个字符" in await refused.get_data(as_text=True)


async def test_maintainers_change_roles_and_remove_members(app: Any) -> None:
    await make_user(app, "ada")
    await make_user(app, "bob")
    await make_user(app, "cyd")
    ada = await _signed_in(app, "ada")
    path = await _create(ada)
    project = await models.Project.get(name="Graphene lab")
    bob_actor = await models.Actor.get(username="bob", domain=None)
    cyd_actor = await models.Actor.get(username="cyd", domain=None)
    await models.ProjectMember.create(project=project, actor=bob_actor, role="member")
    await models.ProjectMember.create(project=project, actor=cyd_actor, role="member")

    made = await _submit(ada, path, f"{path}/members/{bob_actor.id}/role", role="maintainer")
    assert made.status_code == 303
    row = await models.ProjectMember.get(project_id=project.id, actor_id=bob_actor.id)
    assert row.role.value == "maintainer"
    bob = await _signed_in(app, "bob")
    # a maintainer makes no owners
    refused = await _submit(bob, path, f"{path}/members/{cyd_actor.id}/role", role="owner")
    assert refused.status_code == 403
    removed = await _submit(bob, path, f"{path}/members/{cyd_actor.id}/remove")
    assert removed.status_code == 303
    assert not await models.ProjectMember.filter(actor_id=cyd_actor.id).exists()
    cyd = await _signed_in(app, "cyd")
    assert (await _submit(cyd, path, f"{path}/members/{bob_actor.id}/remove")).status_code == 403


async def test_a_member_marks_a_remote_projects_task_done_from_her_node(app: Any) -> None:
    user = await make_user(app, "bob")
    group = await models.Actor.create(
        uri="https://far.example/projects/optics",
        username="optics",
        domain="far.example",
        actor_type="Group",
        inbox="https://far.example/projects/optics/inbox",
    )
    project = await models.Project.create(actor=group, local=False, name="Optics group")
    await models.ProjectMember.create(project=project, actor_id=user.actor_id, role="member")
    task = await models.ProjectTask.create(
        uri="https://far.example/projects/optics/tasks/7", project=project, title="Align laser"
    )
    bob = await _signed_in(app, "bob")
    path = "/projects/optics@far.example"
    page = await _text(bob, path)
    assert "Align laser" in page and f'action="{path}/tasks/new"' not in page
    sent = await _submit(bob, path, f"{path}/tasks/{task.id}/status", status="done")
    assert sent.status_code == 303
    await task.refresh_from_db()
    assert task.status is TaskStatus.OPEN  # the project decides, when its Update comes back
    # only done and open travel to a remote project
    refused = await _submit(bob, path, f"{path}/tasks/{task.id}/status", status="in_progress")
    assert refused.status_code == 422
    assert (await bob.get(f"{path}/tasks/{task.id}/edit")).status_code == 403
